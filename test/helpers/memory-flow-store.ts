// In-memory FlowStore for unit tests: the same contract as PgFlowStore (guards, kept verifiers, one completion),
// kept in Maps. Codes and refresh tokens live here too, because in PostgreSQL their rows go with their flow
// (ON DELETE CASCADE); MemoryGrantStore works on the same maps.
import type { AuthorizeArtefacts, FlowStore, NewFlow } from '../../server/flows/ports.js';
import type { ConsentDecision, DeniedError, FlowRecord, LoginDecision } from '../../server/flows/types.js';
import { ConflictError } from '../../server/oauth2/errors.js';
import type { AuthorizationCodeRecord, RefreshTokenRecord } from '../../server/oauth2/ports.js';
import {
  decodeConsentPageToken,
  encodeConsentPageToken,
  flowIdOfConsentRequest,
  isAfterPageKey,
} from '../../server/storage/consent-sessions.js';
import { MemoryAccessTokenStore } from './memory-token-store.js';

/** A flow row: the record plus the hashes of its verifiers, which the record does not expose. */
interface FlowRow {
  flow: FlowRecord;
  login_verifier: string | null;
  consent_verifier: string | null;
}

/** What a jsonb column gives back: undefined members dropped, dates as strings. */
const asJson = <T>(value: T): T => JSON.parse(JSON.stringify(value));

/** Expiry of a remembered consent: requested_at + remember_for; null = forever (remember_for 0). */
export function rememberedUntil(flow: FlowRecord): Date | null {
  const seconds = flow.consent?.remember_for ?? 0;
  return seconds > 0 ? new Date(flow.requested_at.getTime() + seconds * 1000) : null;
}

export class MemoryFlowStore implements FlowStore {
  readonly rows = new Map<string, FlowRow>();
  readonly codes = new Map<string, AuthorizationCodeRecord>();
  readonly refreshTokens = new Map<string, RefreshTokenRecord>();

  constructor(readonly accessTokens: MemoryAccessTokenStore = new MemoryAccessTokenStore()) {}

  async create(flow: NewFlow): Promise<void> {
    const taken = [...this.rows.values()].some(
      (r) => r.flow.id === flow.id || r.flow.login_challenge === flow.login_challenge,
    );
    if (taken) throw new ConflictError();
    const record: FlowRecord = {
      ...structuredClone(flow),
      request: asJson(flow.request),
      login: null,
      login_error: null,
      authenticated_at: null,
      consent_challenge: null,
      consent_csrf: null,
      consent_skip: false,
      consent: null,
      consent_error: null,
      consent_handled_at: null,
    };
    this.rows.set(flow.id, { flow: record, login_verifier: null, consent_verifier: null });
  }

  private find(match: (row: FlowRow) => boolean): FlowRow | undefined {
    for (const row of this.rows.values()) if (match(row)) return row;
    return undefined;
  }

  private out(row: FlowRow | undefined): FlowRecord | null {
    return row ? structuredClone(row.flow) : null;
  }

  async byId(id: string): Promise<FlowRecord | null> {
    return this.out(this.find((r) => r.flow.id === id));
  }

  async byLoginChallenge(challenge: string): Promise<FlowRecord | null> {
    return this.out(this.find((r) => r.flow.login_challenge === challenge));
  }

  async byConsentChallenge(challenge: string): Promise<FlowRecord | null> {
    return this.out(this.find((r) => r.flow.consent_challenge === challenge));
  }

  async byLoginVerifier(verifierHash: string): Promise<FlowRecord | null> {
    return this.out(this.find((r) => r.login_verifier === verifierHash));
  }

  async byConsentVerifier(verifierHash: string): Promise<FlowRecord | null> {
    return this.out(this.find((r) => r.consent_verifier === verifierHash));
  }

  async handleLogin(
    challenge: string,
    outcome: { login: LoginDecision } | { error: DeniedError },
    verifierHash: string,
    now: Date,
  ): Promise<FlowRecord | null> {
    const row = this.find((r) => r.flow.login_challenge === challenge);
    if (!row || !['login_initialized', 'login_handled'].includes(row.flow.state)) return null;
    if (row.flow.expires_at <= now) return null;
    row.flow.state = 'login_handled';
    row.flow.login = 'login' in outcome ? asJson(outcome.login) : null;
    row.flow.login_error = 'error' in outcome ? asJson(outcome.error) : null;
    row.login_verifier ??= verifierHash;
    return this.out(row);
  }

  async startConsent(
    flowId: string,
    next: Parameters<FlowStore['startConsent']>[1],
  ): Promise<FlowRecord | null> {
    const row = this.rows.get(flowId);
    if (!row) return null;
    // A retry of the same step (the first answer was lost) gets the same flow back.
    if (row.flow.state === 'consent_initialized' && row.flow.consent_challenge === next.consent_challenge) {
      return this.out(row);
    }
    if (row.flow.state !== 'login_handled') return null;
    Object.assign(row.flow, structuredClone(next), { state: 'consent_initialized' });
    return this.out(row);
  }

  async handleConsent(
    challenge: string,
    outcome: { consent: ConsentDecision } | { error: DeniedError },
    verifierHash: string,
    now: Date,
  ): Promise<FlowRecord | null> {
    const row = this.find((r) => r.flow.consent_challenge === challenge);
    if (!row || !['consent_initialized', 'consent_handled'].includes(row.flow.state)) return null;
    if (row.flow.expires_at <= now) return null;
    row.flow.state = 'consent_handled';
    row.flow.consent = 'consent' in outcome ? asJson(outcome.consent) : null;
    row.flow.consent_error = 'error' in outcome ? asJson(outcome.error) : null;
    row.flow.consent_handled_at = new Date(now);
    row.consent_verifier ??= verifierHash;
    return this.out(row);
  }

  async complete(flowId: string, artefacts: AuthorizeArtefacts, now: Date): Promise<boolean> {
    const row = this.rows.get(flowId);
    if (row?.flow.state !== 'consent_handled' || row.flow.expires_at <= now) return false;
    // Checked before anything is written, so that a refused artefact leaves the flow as it was.
    if (
      (artefacts.code && this.codes.has(artefacts.code.signature)) ||
      (artefacts.access_token && this.accessTokens.rows.has(artefacts.access_token.signature))
    ) {
      throw new ConflictError();
    }
    row.flow.state = 'consent_used';
    if (artefacts.code) this.codes.set(artefacts.code.signature, structuredClone(artefacts.code));
    if (artefacts.access_token) await this.accessTokens.insert(artefacts.access_token);
    return true;
  }

  async rememberedConsents(subject: string, clientId: string, now: Date): Promise<FlowRecord[]> {
    return this.used()
      .filter(
        (f) =>
          f.subject === subject &&
          f.client_id === clientId &&
          f.consent?.remember === true &&
          !f.consent_skip &&
          f.consent_error === null,
      )
      .filter((f) => {
        const until = rememberedUntil(f);
        return until === null || until > now;
      })
      .map((f) => structuredClone(f));
  }

  async listConsentSessions(
    query: Parameters<FlowStore['listConsentSessions']>[0],
  ): Promise<{ items: FlowRecord[]; next_page_token?: string }> {
    const after = query.page_token === undefined ? undefined : decodeConsentPageToken(query.page_token);
    const matching = this.used().filter(
      (f) =>
        f.subject === query.subject &&
        (query.login_session_id === undefined || f.login_session_id === query.login_session_id) &&
        !f.consent_skip &&
        f.consent_error === null &&
        (after === undefined || isAfterPageKey(f, after)),
    );
    const items = matching.slice(0, query.page_size).map((f) => structuredClone(f));
    const last = items.at(-1);
    return matching.length > query.page_size && last
      ? { items, next_page_token: encodeConsentPageToken(last) }
      : { items };
  }

  async revokeConsentSessions(filter: Parameters<FlowStore['revokeConsentSessions']>[0]): Promise<number> {
    const id = 'consent_request_id' in filter ? flowIdOfConsentRequest(filter.consent_request_id) : null;
    const gone = this.used().filter((f) =>
      'consent_request_id' in filter
        ? f.id === id
        : f.subject === filter.subject && ('all' in filter || f.client_id === filter.client_id),
    );
    for (const flow of gone) this.deleteFlow(flow.id);
    return gone.length;
  }

  /** A flow and everything of its grant, as the FK cascade and the access-token delete do in PostgreSQL. */
  deleteFlow(flowId: string): void {
    this.rows.delete(flowId);
    for (const [signature, code] of this.codes) if (code.request_id === flowId) this.codes.delete(signature);
    for (const [signature, token] of this.refreshTokens) {
      if (token.request_id === flowId) this.refreshTokens.delete(signature);
    }
    for (const [signature, token] of this.accessTokens.rows) {
      if (token.request_id === flowId) this.accessTokens.rows.delete(signature);
    }
  }

  /** What deleting a client cascades to in PostgreSQL: its flows, codes, refresh and access tokens. */
  deleteClient(clientId: string): void {
    for (const row of [...this.rows.values()])
      if (row.flow.client_id === clientId) this.deleteFlow(row.flow.id);
    void this.accessTokens.deleteByClientId(clientId);
  }

  /** Completed flows, newest first (ties: id descending), as PostgreSQL orders them. */
  private used(): FlowRecord[] {
    return [...this.rows.values()]
      .map((r) => r.flow)
      .filter((f) => f.state === 'consent_used')
      .sort((a, b) => b.requested_at.getTime() - a.requested_at.getTime() || (a.id < b.id ? 1 : -1));
  }
}
