// The two implementations of the browser-flow storage ports, side by side, for the conformance suites
// (test/storage/flow-store.test.ts, grant-store.test.ts): PostgreSQL in a fresh migrated database, and the
// in-memory stores the unit tests of the flows use. Plus builders for flows in any state.
import { randomBytes, randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { FlowStore, GrantStore, LoginSessionStore, NewFlow } from '../../server/flows/ports.js';
import type {
  AuthorizeRequest,
  ConsentDecision,
  FlowRecord,
  LoginDecision,
} from '../../server/flows/types.js';
import type {
  AccessTokenRecord,
  AccessTokenStore,
  AuthorizationCodeRecord,
  RefreshTokenRecord,
} from '../../server/oauth2/ports.js';
import { parsePostgresDsn } from '../../server/storage/dsn.js';
import { createKnex, migratorConfig } from '../../server/storage/knex.js';
import { PgFlowStore } from '../../server/storage/pg-flow-store.js';
import { PgGrantStore } from '../../server/storage/pg-grant-store.js';
import { PgLoginSessionStore } from '../../server/storage/pg-login-session-store.js';
import { PgAccessTokenStore } from '../../server/storage/pg-token-store.js';
import { MemoryFlowStore } from './memory-flow-store.js';
import { MemoryGrantStore } from './memory-grant-store.js';
import { MemoryLoginSessionStore } from './memory-login-session-store.js';
import { MemoryAccessTokenStore } from './memory-token-store.js';
import { createDatabase } from './postgres.js';

export interface FlowBackend {
  flows: FlowStore;
  sessions: LoginSessionStore;
  grants: GrantStore;
  accessTokens: AccessTokenStore;
  /** Registers a client (the foreign key of every row). */
  addClient(clientId: string): Promise<void>;
  /** Deletes a client and, as the foreign keys do, everything issued to it. */
  deleteClient(clientId: string): Promise<void>;
  /** The PostgreSQL one only. */
  knex?: Knex;
  close(): Promise<void>;
}

export const BACKENDS: { name: string; open(): Promise<FlowBackend> }[] = [
  {
    name: 'memory',
    async open() {
      const accessTokens = new MemoryAccessTokenStore();
      const flows = new MemoryFlowStore(accessTokens);
      return {
        flows,
        sessions: new MemoryLoginSessionStore(),
        grants: new MemoryGrantStore(accessTokens, flows),
        accessTokens,
        addClient: async () => {},
        deleteClient: async (clientId) => flows.deleteClient(clientId),
        close: async () => {},
      };
    },
  },
  {
    name: 'postgres',
    async open() {
      const knex = createKnex(parsePostgresDsn(await createDatabase('flows'), 12));
      await knex.migrate.latest(migratorConfig());
      return pgBackend(knex);
    },
  },
];

/** The PostgreSQL stores on a migrated database; close() destroys the pool. */
export function pgBackend(knex: Knex): FlowBackend {
  return {
    flows: new PgFlowStore(knex),
    sessions: new PgLoginSessionStore(knex),
    grants: new PgGrantStore(knex),
    accessTokens: new PgAccessTokenStore(knex),
    addClient: async (clientId) => {
      const now = new Date();
      await knex('oauth2_clients').insert({
        client_id: clientId,
        document: {},
        created_at: now,
        updated_at: now,
      });
    },
    deleteClient: async (clientId) => {
      await knex('oauth2_clients').where({ client_id: clientId }).delete();
    },
    knex,
    close: () => knex.destroy(),
  };
}

export const T0 = new Date(Date.UTC(2026, 11, 6, 1, 0, 0, 0));
export const at = (ms: number) => new Date(T0.getTime() + ms);
export const MINUTE = 60_000;
const random = () => randomBytes(16).toString('base64url');
export const signature = () => randomBytes(48).toString('hex');

export function authorizeRequest(clientId: string): AuthorizeRequest {
  return {
    client_id: clientId,
    response_types: ['code'],
    response_mode: 'query',
    redirect_uri: 'https://app.example/cb',
    redirect_uri_sent: true,
    state: 'state-12345',
    nonce: 'n-0S6_WzA2Mj',
    requested_scope: ['openid', 'offline_access'],
    requested_audience: [],
    prompt: [],
    oidc_context: { acr_values: [], ui_locales: ['de "CH"'] },
    request_url: `https://auth.example/oauth2/auth?client_id=${clientId}&response_type=code`,
  };
}

export function newFlow(clientId: string, overrides: Partial<NewFlow> = {}): NewFlow {
  return {
    id: randomUUID(),
    client_id: clientId,
    state: 'login_initialized',
    request: authorizeRequest(clientId),
    requested_at: T0,
    expires_at: at(30 * MINUTE),
    login_challenge: random(),
    login_csrf: randomBytes(16).toString('hex'),
    login_skip: false,
    subject: '',
    login_session_id: randomUUID(),
    ...overrides,
  };
}

export function loginDecision(subject: string, overrides: Partial<LoginDecision> = {}): LoginDecision {
  return {
    subject,
    remember: true,
    remember_for: 3600,
    acr: '0',
    amr: ['pwd'],
    context: { step: [1, 2] },
    extend_session_lifespan: false,
    force_subject_identifier: '',
    identity_provider_session_id: '',
    ...overrides,
  };
}

export function consentDecision(overrides: Partial<ConsentDecision> = {}): ConsentDecision {
  return {
    grant_scope: ['openid', 'offline_access'],
    grant_access_token_audience: [],
    remember: false,
    remember_for: 0,
    session: { access_token: { tenant: 't1' }, id_token: { email: 'a@b.example' } },
    context: null,
    ...overrides,
  };
}

export const denied = (error: string) => ({
  error,
  error_description: 'The resource owner denied the request',
  error_hint: '',
  error_debug: '',
  status_code: 403,
});

/** Drives a new flow through login and consent up to `until`; returns the flow as it then is. */
export async function flowIn(
  b: FlowBackend,
  clientId: string,
  until: 'login_handled' | 'consent_initialized' | 'consent_handled' | 'consent_used',
  options: {
    subject?: string;
    flow?: Partial<NewFlow>;
    consent?: Partial<ConsentDecision> | 'rejected';
    consentSkip?: boolean;
    code?: AuthorizationCodeRecord | null;
  } = {},
): Promise<FlowRecord> {
  const subject = options.subject ?? 'alice';
  const flow = newFlow(clientId, options.flow);
  await b.flows.create(flow);
  const now = flow.requested_at;
  let record = await b.flows.handleLogin(
    flow.login_challenge,
    { login: loginDecision(subject) },
    random(),
    now,
  );
  if (until !== 'login_handled') {
    record = await b.flows.startConsent(flow.id, {
      subject,
      authenticated_at: now,
      consent_challenge: random(),
      consent_csrf: randomBytes(16).toString('hex'),
      consent_skip: options.consentSkip ?? false,
    });
  }
  if (until === 'consent_handled' || until === 'consent_used') {
    const outcome =
      options.consent === 'rejected'
        ? { error: denied('consent request denied') }
        : { consent: consentDecision(options.consent) };
    record = await b.flows.handleConsent(record!.consent_challenge!, outcome, random(), now);
  }
  if (until === 'consent_used') {
    const code = options.code === undefined ? codeFor(flow.id, clientId) : options.code;
    if (!(await b.flows.complete(flow.id, code ? { code } : {}, now))) throw new Error('not completed');
    record = { ...record!, state: 'consent_used' };
  }
  if (!record) throw new Error(`the flow did not reach ${until}`);
  return record;
}

export function codeFor(flowId: string, clientId: string, overrides: Partial<AuthorizationCodeRecord> = {}) {
  return {
    signature: signature(),
    request_id: flowId,
    client_id: clientId,
    requested_at: T0,
    expires_at: at(10 * MINUTE),
    used_at: null,
    ...overrides,
  } satisfies AuthorizationCodeRecord;
}

export function accessFor(flow: FlowRecord, overrides: Partial<AccessTokenRecord> = {}): AccessTokenRecord {
  return {
    signature: signature(),
    request_id: flow.id,
    client_id: flow.client_id,
    subject: flow.subject,
    granted_scope: ['openid', 'offline_access'],
    granted_audience: ['https://api.example'],
    requested_at: T0,
    expires_at: at(60 * MINUTE),
    ext: { tenant: 't1' },
    ...overrides,
  };
}

/** The refresh token issued with `access` (the same grant, subject, scopes and ext). */
export function refreshFor(
  access: AccessTokenRecord,
  overrides: Partial<RefreshTokenRecord> = {},
): RefreshTokenRecord {
  const { request_id, client_id, subject, granted_scope, granted_audience, requested_at } = access;
  return {
    signature: signature(),
    ...{ request_id, client_id, subject, granted_scope, granted_audience, requested_at },
    active: true,
    expires_at: at(720 * 60 * MINUTE),
    first_used_at: null,
    used_times: 0,
    access_token_signature: access.signature,
    ext: access.ext ?? null,
    ...overrides,
  };
}

/** A pair of tokens, the refresh one paired with the access one. */
export function pairFor(
  flow: FlowRecord,
  refresh: Partial<RefreshTokenRecord> = {},
  access: Partial<AccessTokenRecord> = {},
) {
  const accessToken = accessFor(flow, access);
  return { access: accessToken, refresh: refreshFor(accessToken, refresh) };
}

/** What the promise rejected with (throws when it resolved). */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}
