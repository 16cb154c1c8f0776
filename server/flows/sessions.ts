// Consent sessions and login sessions on the admin port (Hydra's consent/handler.go): list what a
// subject granted, revoke grants (with every token issued from them), end login sessions.
import type { StoredClient } from '../clients/client.js';
import { pageSize } from '../clients/pagination.js';
import { InvalidRequest } from '../oauth2/errors.js';
import { consentRequestBody } from './admin-requests.js';
import type { FlowStore, LoginSessionStore } from './ports.js';
import type { FlowRecord } from './types.js';

export interface SessionAdminDeps {
  flows: FlowStore;
  sessions: LoginSessionStore;
  clients: { get(id: string): Promise<StoredClient | null> };
  /**
   * Ends one login session with back-channel logout (server/flows/logout.ts endSession, Hydra's
   * HandleHeadlessLogout); without it the session is only deleted.
   */
  endSession?: (sid: string) => Promise<void>;
}

export interface ConsentSessionQuery {
  subject?: string;
  login_session_id?: string;
  page_size?: number;
  page_token?: string;
}

export interface ConsentSessionPage {
  sessions: Record<string, unknown>[];
  pageSize: number;
  nextPageToken?: string;
}

export interface RevokeConsentQuery {
  subject?: string;
  client?: string;
  consent_request_id?: string;
  /** Hydra compares the raw value with "true". */
  all?: boolean | string;
}

export interface SessionAdmin {
  listConsentSessions(query: ConsentSessionQuery): Promise<ConsentSessionPage>;
  revokeConsentSessions(query: RevokeConsentQuery): Promise<void>;
  revokeLoginSessions(query: { subject?: string; sid?: string }): Promise<void>;
}

const CONSENT_PAGE_SIZE = 250;

/** `<time>Z` with whole seconds, as the client documents write their times. */
const rfc3339 = (d: Date | null) => (d ? `${d.toISOString().slice(0, 19)}Z` : null);

export function createSessionAdmin(deps: SessionAdminDeps): SessionAdmin {
  return {
    async listConsentSessions(query) {
      if (!query.subject)
        throw new InvalidRequest("Query parameter 'subject' is not defined but should have been.");
      // Hydra's keyset pagination: 250 by default; the clients list's bounds otherwise.
      const requested = query.page_size;
      const size = requested === undefined || requested <= 0 ? CONSENT_PAGE_SIZE : pageSize(requested);
      const page = await deps.flows.listConsentSessions({
        subject: query.subject,
        ...(query.login_session_id ? { login_session_id: query.login_session_id } : {}),
        page_size: size,
        ...(query.page_token ? { page_token: query.page_token } : {}),
      });
      const clients = new Map<string, unknown>();
      const clientOf = async (flow: FlowRecord) => {
        if (!clients.has(flow.client_id)) {
          clients.set(flow.client_id, (await deps.clients.get(flow.client_id))?.document ?? null);
        }
        return clients.get(flow.client_id);
      };
      const sessions: Record<string, unknown>[] = [];
      for (const flow of page.items) {
        const consent = flow.consent;
        // OAuth2ConsentSession (flow.ToListConsentSessionResponse), keys in Hydra's order.
        sessions.push({
          consent_request_id: flow.id.replaceAll('-', ''),
          grant_scope: consent?.grant_scope ?? [],
          grant_access_token_audience: consent?.grant_access_token_audience ?? [],
          session: consent?.session ?? { access_token: {}, id_token: {} },
          remember: consent?.remember ?? false,
          remember_for: consent?.remember_for ?? 0,
          handled_at: rfc3339(flow.consent_handled_at),
          context: consent?.context ?? {},
          // The challenge is no longer available, nor needed (Hydra sends "").
          consent_request: consentRequestBody(flow, '', await clientOf(flow)),
        });
      }
      return {
        sessions,
        pageSize: size,
        ...(page.next_page_token ? { nextPageToken: page.next_page_token } : {}),
      };
    },

    async revokeConsentSessions(query) {
      const subject = query.subject ?? '';
      const client = query.client ?? '';
      const id = query.consent_request_id ?? '';
      const all = query.all === true || query.all === 'true';
      // v25 takes exactly one of three combinations.
      if (id !== '' && subject === '' && client === '') {
        await deps.flows.revokeConsentSessions({ consent_request_id: id });
      } else if (id === '' && subject !== '' && client !== '' && !all) {
        await deps.flows.revokeConsentSessions({ subject, client_id: client });
      } else if (id === '' && subject !== '' && client === '' && all) {
        await deps.flows.revokeConsentSessions({ subject, all: true });
      } else {
        throw new InvalidRequest('Invalid combination of query parameters.');
      }
    },

    async revokeLoginSessions(query) {
      // By sid: the relying parties hear of it (back-channel); by subject: deleted silently, as Hydra does.
      if (query.sid) await (deps.endSession ?? deps.sessions.delete.bind(deps.sessions))(query.sid);
      else if (query.subject) await deps.sessions.deleteBySubject(query.subject);
      else throw new InvalidRequest("Either 'subject' or 'sid' query parameters need to be defined.");
    },
  };
}
