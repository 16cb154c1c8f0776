// FlowStore on PostgreSQL (Hydra: hydra_oauth2_flow). Every transition is one UPDATE whose WHERE is the guard
// (state, expiry), so two concurrent requests cannot both pass it and a failed statement changes nothing: a
// request that failed while the database was away can simply be retried. The completion and its artefacts are
// one transaction.
import type { Knex } from 'knex';
import type { AuthorizeArtefacts, FlowStore, NewFlow } from '../flows/ports.js';
import type { ConsentDecision, DeniedError, FlowRecord, LoginDecision } from '../flows/types.js';
import type { AuthorizationCodeRecord } from '../oauth2/ports.js';
import {
  decodeConsentPageToken,
  encodeConsentPageToken,
  flowIdOfConsentRequest,
} from './consent-sessions.js';
import { pg } from './pg-errors.js';
import { insertAccessTokenRows } from './pg-token-store.js';
import { isUuid } from './uuid.js';

const TABLE = 'oauth2_flows';

type Timestamps = 'requested_at' | 'expires_at' | 'authenticated_at' | 'consent_handled_at';

/** A row of oauth2_flows; timestamps are strings when the row comes through to_jsonb (pg-grant-store.ts). */
export type FlowRow = Omit<FlowRecord, Timestamps> & {
  requested_at: Date | string;
  expires_at: Date | string;
  authenticated_at: Date | string | null;
  consent_handled_at: Date | string | null;
};

const orNull = (value: Date | string | null) => (value === null ? null : new Date(value));

export function flowFromRow(row: FlowRow): FlowRecord {
  return {
    id: row.id,
    client_id: row.client_id,
    state: row.state,
    request: row.request,
    requested_at: new Date(row.requested_at),
    expires_at: new Date(row.expires_at),
    login_challenge: row.login_challenge,
    login_csrf: row.login_csrf,
    login_skip: row.login_skip,
    subject: row.subject,
    login_session_id: row.login_session_id,
    login: row.login,
    login_error: row.login_error,
    authenticated_at: orNull(row.authenticated_at),
    consent_challenge: row.consent_challenge,
    consent_csrf: row.consent_csrf,
    consent_skip: row.consent_skip,
    consent: row.consent,
    consent_error: row.consent_error,
    consent_handled_at: orNull(row.consent_handled_at),
  };
}

/** jsonb columns get their JSON text: node-pg would turn a top-level array into a PostgreSQL array. */
const json = (value: unknown) => (value == null ? null : JSON.stringify(value));

export function codeRow(code: AuthorizationCodeRecord) {
  return {
    signature: code.signature,
    request_id: code.request_id,
    client_id: code.client_id,
    requested_at: code.requested_at,
    expires_at: code.expires_at,
    used_at: code.used_at,
  };
}

export class PgFlowStore implements FlowStore {
  constructor(private readonly db: Knex) {}

  create(flow: NewFlow): Promise<void> {
    return pg(async () => {
      await this.db(TABLE).insert({
        id: flow.id,
        client_id: flow.client_id,
        state: flow.state,
        request: json(flow.request),
        requested_at: flow.requested_at,
        expires_at: flow.expires_at,
        login_challenge: flow.login_challenge,
        login_csrf: flow.login_csrf,
        login_skip: flow.login_skip,
        subject: flow.subject,
        login_session_id: flow.login_session_id,
      });
    });
  }

  private one(where: Record<string, string>): Promise<FlowRecord | null> {
    return pg(async () => {
      const row = await this.db<FlowRow>(TABLE).where(where).first();
      return row ? flowFromRow(row) : null;
    });
  }

  byId(id: string): Promise<FlowRecord | null> {
    // The column is a uuid: anything else cannot name a flow (and would be a type error in PostgreSQL).
    if (!isUuid(id)) return Promise.resolve(null);
    return this.one({ id });
  }

  byLoginChallenge(challenge: string): Promise<FlowRecord | null> {
    return this.one({ login_challenge: challenge });
  }

  byConsentChallenge(challenge: string): Promise<FlowRecord | null> {
    return this.one({ consent_challenge: challenge });
  }

  byLoginVerifier(verifierHash: string): Promise<FlowRecord | null> {
    return this.one({ login_verifier: verifierHash });
  }

  byConsentVerifier(verifierHash: string): Promise<FlowRecord | null> {
    return this.one({ consent_verifier: verifierHash });
  }

  /** One guarded UPDATE … RETURNING: the updated flow, or null when the guard failed. */
  private transition(
    where: (q: Knex.QueryBuilder) => Knex.QueryBuilder,
    set: Record<string, unknown>,
  ): Promise<FlowRecord | null> {
    return pg(async () => {
      const [row] = (await where(this.db(TABLE)).update(set).returning('*')) as FlowRow[];
      return row ? flowFromRow(row) : null;
    });
  }

  handleLogin(
    challenge: string,
    outcome: { login: LoginDecision } | { error: DeniedError },
    verifierHash: string,
    now: Date,
  ): Promise<FlowRecord | null> {
    return this.transition(
      (q) =>
        q
          .where({ login_challenge: challenge })
          .whereIn('state', ['login_initialized', 'login_handled'])
          .where('expires_at', '>', now),
      {
        state: 'login_handled',
        login: 'login' in outcome ? json(outcome.login) : null,
        login_error: 'error' in outcome ? json(outcome.error) : null,
        // Every redirect_to handed out stays usable: a repeated accept keeps the first verifier.
        login_verifier: this.db.raw('COALESCE(login_verifier, ?)', [verifierHash]),
      },
    );
  }

  startConsent(flowId: string, next: Parameters<FlowStore['startConsent']>[1]): Promise<FlowRecord | null> {
    if (!isUuid(flowId)) return Promise.resolve(null);
    // The moved row, or, for a retry of the same step (its first answer was lost), the row as it already is:
    // the SELECT reads the snapshot from before the UPDATE, so it finds nothing when the UPDATE moved the row.
    return pg(async () => {
      const { rows } = await this.db.raw<{ rows: FlowRow[] }>(
        `WITH moved AS (
           UPDATE ${TABLE} SET state = 'consent_initialized', subject = ?, authenticated_at = ?,
                  consent_challenge = ?, consent_csrf = ?, consent_skip = ?
            WHERE id = ? AND state = 'login_handled' RETURNING *)
         SELECT * FROM moved
         UNION ALL
         SELECT * FROM ${TABLE} WHERE id = ? AND state = 'consent_initialized' AND consent_challenge = ?`,
        [
          next.subject,
          next.authenticated_at,
          next.consent_challenge,
          next.consent_csrf,
          next.consent_skip,
          flowId,
          flowId,
          next.consent_challenge,
        ],
      );
      return rows[0] ? flowFromRow(rows[0]) : null;
    });
  }

  handleConsent(
    challenge: string,
    outcome: { consent: ConsentDecision } | { error: DeniedError },
    verifierHash: string,
    now: Date,
  ): Promise<FlowRecord | null> {
    const consent = 'consent' in outcome ? outcome.consent : null;
    const rememberFor = consent?.remember ? consent.remember_for : 0;
    return this.transition(
      (q) =>
        q
          .where({ consent_challenge: challenge })
          .whereIn('state', ['consent_initialized', 'consent_handled'])
          .where('expires_at', '>', now),
      {
        state: 'consent_handled',
        consent: json(consent),
        consent_error: 'error' in outcome ? json(outcome.error) : null,
        consent_handled_at: now,
        consent_verifier: this.db.raw('COALESCE(consent_verifier, ?)', [verifierHash]),
        consent_remember: consent?.remember === true,
        // Hydra's consent/handler.go: a remembered consent expires requested_at + remember_for; 0 = never.
        consent_remember_until:
          rememberFor > 0
            ? this.db.raw("requested_at + ?::double precision * interval '1 second'", [rememberFor])
            : null,
      },
    );
  }

  complete(flowId: string, artefacts: AuthorizeArtefacts, now: Date): Promise<boolean> {
    if (!isUuid(flowId)) return Promise.resolve(false);
    return pg(() =>
      this.db.transaction(async (trx) => {
        // The row lock makes concurrent completions wait here; after the first commits, the others find the
        // state moved on and update nothing.
        const moved = await trx(TABLE)
          .where({ id: flowId, state: 'consent_handled' })
          .where('expires_at', '>', now)
          .update({ state: 'consent_used' })
          .returning('id');
        if (moved.length === 0) return false;
        if (artefacts.code) await trx('oauth2_authorization_codes').insert(codeRow(artefacts.code));
        if (artefacts.access_token) await insertAccessTokenRows(trx, [artefacts.access_token]);
        return true;
      }),
    );
  }

  rememberedConsents(subject: string, clientId: string, now: Date): Promise<FlowRecord[]> {
    return pg(async () => {
      const rows: FlowRow[] = await this.db(TABLE)
        .where({
          subject,
          client_id: clientId,
          state: 'consent_used',
          consent_remember: true,
          consent_skip: false,
        })
        .whereNull('consent_error')
        .where((q) => q.whereNull('consent_remember_until').orWhere('consent_remember_until', '>', now))
        .orderBy([
          { column: 'requested_at', order: 'desc' },
          { column: 'id', order: 'desc' },
        ]);
      return rows.map(flowFromRow);
    });
  }

  async listConsentSessions(
    query: Parameters<FlowStore['listConsentSessions']>[0],
  ): Promise<{ items: FlowRecord[]; next_page_token?: string }> {
    const after = query.page_token === undefined ? undefined : decodeConsentPageToken(query.page_token);
    // A session id that cannot be a uuid matches nothing (rather than a PostgreSQL cast error).
    if (query.login_session_id !== undefined && !isUuid(query.login_session_id)) return { items: [] };
    const rows = await pg(() => {
      const q = this.db<FlowRow>(TABLE)
        .where({ subject: query.subject, state: 'consent_used', consent_skip: false })
        .whereNull('consent_error');
      if (query.login_session_id !== undefined) q.where({ login_session_id: query.login_session_id });
      if (after) q.whereRaw('(requested_at, id) < (?, ?::uuid)', [after.requested_at, after.id]);
      return q
        .orderBy([
          { column: 'requested_at', order: 'desc' },
          { column: 'id', order: 'desc' },
        ])
        .limit(query.page_size + 1);
    });
    const items = rows.slice(0, query.page_size).map(flowFromRow);
    const last = items.at(-1);
    return rows.length > query.page_size && last
      ? { items, next_page_token: encodeConsentPageToken(last) }
      : { items };
  }

  revokeConsentSessions(filter: Parameters<FlowStore['revokeConsentSessions']>[0]): Promise<number> {
    let where: string;
    let bindings: string[];
    if ('consent_request_id' in filter) {
      const id = flowIdOfConsentRequest(filter.consent_request_id);
      if (id === null) return Promise.resolve(0);
      [where, bindings] = ['id = ?', [id]];
    } else if ('all' in filter) {
      [where, bindings] = ['subject = ?', [filter.subject]];
    } else {
      [where, bindings] = ['subject = ? AND client_id = ?', [filter.subject, filter.client_id]];
    }
    // One statement: codes and refresh tokens go with their flow (ON DELETE CASCADE); access tokens are deleted
    // here, which fires their statement trigger so that every replica drops its cached introspections.
    return pg(async () => {
      const { rows } = await this.db.raw<{ rows: { n: number }[] }>(
        `WITH gone AS (DELETE FROM ${TABLE} WHERE state = 'consent_used' AND ${where} RETURNING id),
              tokens AS (DELETE FROM oauth2_access_tokens WHERE request_id IN (SELECT id FROM gone))
         SELECT count(*)::int AS n FROM gone`,
        bindings,
      );
      return rows[0]?.n ?? 0;
    });
  }
}
