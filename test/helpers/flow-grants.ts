// The authorization_code and refresh_token grants over the in-memory stores, for unit tests: real opaque
// tokens, a real RS256 ID-token signer (node:crypto, Hydra's oauth2/handler.go claims), flows brought to `consent_handled` and
// completed through the GrantIssuer exactly as the consent verifier does.
import { randomUUID, verify } from 'node:crypto';
import { TokenCache } from '../../server/cache/token-cache.js';
import type { StoredClient } from '../../server/clients/client.js';
import { SystemSecrets } from '../../server/crypto/secrets.js';
import type { RotationPolicy } from '../../server/flows/ports.js';
import type { FlowRecord, IdTokens } from '../../server/flows/types.js';
import { ID_TOKEN_KEY_SET, KeyManager } from '../../server/keys/key-manager.js';
import { defaultAudienceStrategy } from '../../server/oauth2/audience-strategy.js';
import { authenticateClient } from '../../server/oauth2/client-authentication.js';
import type { OAuth2Error } from '../../server/oauth2/errors.js';
import type { Form } from '../../server/oauth2/form.js';
import { createGrantIssuer, type GrantTokensDeps } from '../../server/oauth2/grant-tokens.js';
import { createGrants, type GrantDeps } from '../../server/oauth2/grants/index.js';
import { createIntrospector } from '../../server/oauth2/introspection.js';
import { createRevocation } from '../../server/oauth2/revocation.js';
import { wildcardScopeStrategy } from '../../server/oauth2/scope-strategy.js';
import { createTokenEndpoint } from '../../server/oauth2/token-endpoint.js';
import { JwtTokenStrategy, OpaqueTokenStrategy } from '../../server/oauth2/token-strategies.js';
import { createIdTokens } from '../../server/oidc/id-token.js';
import { sampleFlow } from './flow-fixture.js';
import { MemoryFlowStore } from './memory-flow-store.js';
import { MemoryGrantStore } from './memory-grant-store.js';
import { MemoryKeyStore } from './memory-key-store.js';
import { MemoryAccessTokenStore } from './memory-token-store.js';
import { clientLookup, fakeUnknownClientHash, verifyFakeSecret } from './oauth2-clients.js';

export const ISSUER = 'https://auth.example.com';
export const HOUR = 3_600_000;
export const REDIRECT_URI = 'https://app.example.com/cb';

// One key manager for every test: generating an RSA key costs more than a whole test.
const sharedKeys = new KeyManager(new MemoryKeyStore(), new SystemSecrets(['flow-grants-keys-0123456789']), {
  rsaModulusLength: 2048,
});

/** Package E's ID-token signer, recording what it was asked to sign; `decode` verifies and reads a token. */
export class TestIdTokens implements Pick<IdTokens, 'sign'> {
  private readonly signer = createIdTokens({ keys: sharedKeys, issuer: ISSUER });
  readonly signed: Parameters<IdTokens['sign']>[0][] = [];

  sign(input: Parameters<IdTokens['sign']>[0]): Promise<string> {
    this.signed.push(input);
    return this.signer.sign(input);
  }

  async decode(token: string): Promise<Record<string, unknown>> {
    const [h, p, s] = token.split('.') as [string, string, string];
    const keys = await sharedKeys.verificationKeys(ID_TOKEN_KEY_SET);
    const input = Buffer.from(`${h}.${p}`);
    if (!keys.some((k) => verify('sha256', input, k.key, Buffer.from(s, 'base64url')))) {
      throw new Error('ID token signature does not verify');
    }
    return JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
  }
}

export interface FlowOptions {
  client: StoredClient;
  scope?: string[];
  audience?: string[];
  response_types?: string[];
  nonce?: string;
  redirect_uri_sent?: boolean;
  code_challenge?: string;
  code_challenge_method?: string;
  prompt?: string[];
  max_age?: string;
  requested_at?: Date;
  authenticated_at?: Date;
  subject?: string;
  session?: { access_token: Record<string, unknown>; id_token: Record<string, unknown> };
}

/** A flow whose consent was accepted (state `consent_handled`), as C's FlowEngine leaves it. */
export function consentedFlow(o: FlowOptions, now: Date): FlowRecord {
  const base = sampleFlow();
  const { nonce: _nonce, ...request } = base.request;
  const requestedAt = o.requested_at ?? new Date(now.getTime() - 60_000);
  const scope = o.scope ?? ['openid', 'offline_access'];
  const subject = o.subject ?? 'alice';
  return {
    ...base,
    id: randomUUID(),
    client_id: o.client.client_id,
    state: 'consent_handled',
    request: {
      ...request,
      client_id: o.client.client_id,
      response_types: o.response_types ?? ['code'],
      redirect_uri: REDIRECT_URI,
      redirect_uri_sent: o.redirect_uri_sent ?? true,
      ...(o.nonce !== undefined ? { nonce: o.nonce } : {}),
      requested_scope: scope,
      requested_audience: o.audience ?? [],
      ...(o.code_challenge !== undefined ? { code_challenge: o.code_challenge } : {}),
      ...(o.code_challenge_method !== undefined ? { code_challenge_method: o.code_challenge_method } : {}),
      prompt: o.prompt ?? [],
      ...(o.max_age !== undefined ? { max_age: o.max_age } : {}),
    },
    requested_at: requestedAt,
    expires_at: new Date(requestedAt.getTime() + 30 * 60_000),
    login_challenge: randomUUID(),
    subject,
    login_session_id: randomUUID(),
    login: { ...base.login!, subject },
    authenticated_at: o.authenticated_at ?? new Date(requestedAt.getTime() + 1000),
    consent_challenge: randomUUID(),
    consent: {
      ...base.consent!,
      grant_scope: scope,
      grant_access_token_audience: o.audience ?? [],
      session: o.session ?? { access_token: {}, id_token: {} },
    },
    consent_handled_at: new Date(now),
  };
}

export interface FlowGrantsSetup {
  clients: StoredClient[];
  now: () => Date;
  rotation?: RotationPolicy;
  pkce?: { enforced: boolean; enforcedForPublicClients: boolean };
  refreshTokenMs?: number | null;
  topLevelClaims?: { allowed: string[]; mirror: boolean };
}

export function flowGrants(setup: FlowGrantsSetup) {
  const accessTokens = new MemoryAccessTokenStore();
  const flows = new MemoryFlowStore(accessTokens);
  const grants = new MemoryGrantStore(accessTokens, flows);
  // The read cache introspection uses in the server, kept on: only deletions made through it reach it here.
  const tokenCache = new TokenCache(accessTokens);
  tokenCache.watch({ subscribe: (_tables, subscriber) => subscriber.listening(true) });
  const secrets = new SystemSecrets(['flow-grants-test-secret-0123456789']);
  const opaque = new OpaqueTokenStrategy(secrets);
  const keys = new KeyManager(new MemoryKeyStore(), secrets, { rsaModulusLength: 2048 });
  const jwt = new JwtTokenStrategy(keys, { scopeClaim: 'list' });
  const refreshTokens = new OpaqueTokenStrategy(secrets, { prefix: 'ory_rt_' });
  const codes = new OpaqueTokenStrategy(secrets, { prefix: 'ory_ac_' });
  const idTokens = new TestIdTokens();
  const clients = clientLookup(...setup.clients);
  const ttl = {
    accessTokenMs: HOUR,
    refreshTokenMs: setup.refreshTokenMs === undefined ? 720 * HOUR : setup.refreshTokenMs,
    idTokenMs: HOUR,
    authCodeMs: 10 * 60_000,
  };
  const tokenDeps: GrantTokensDeps = {
    issuer: ISSUER,
    strategies: { opaque, jwt },
    defaultStrategy: 'opaque',
    refreshTokens,
    codes,
    idTokens,
    ttl,
    topLevelClaims: setup.topLevelClaims,
    clock: setup.now,
  };
  const grantDeps: GrantDeps = {
    scopeStrategy: wildcardScopeStrategy,
    audienceStrategy: defaultAudienceStrategy,
    issuer: ISSUER,
    defaultLifespanMs: HOUR,
    strategies: { opaque, jwt },
    defaultStrategy: 'opaque',
    tokens: accessTokens,
    newRequestId: randomUUID,
    clock: setup.now,
    flows: {
      grants,
      refreshTokens,
      codes,
      idTokens,
      ttl,
      topLevelClaims: setup.topLevelClaims,
      pkce: setup.pkce ?? { enforced: false, enforcedForPublicClients: false },
      rotation: setup.rotation ?? { gracePeriodMs: 0, reuseCount: 0, keepRotatedMs: 24 * HOUR },
      accessTokenCache: tokenCache,
    },
  };
  const endpoint = createTokenEndpoint({
    grants: createGrants(grantDeps),
    authenticate: (request) =>
      authenticateClient(request, {
        clients,
        verifySecret: verifyFakeSecret,
        unknownClientHash: fakeUnknownClientHash,
      }),
    clock: setup.now,
  });
  const issuer = createGrantIssuer(tokenDeps);
  const introspector = createIntrospector({
    strategies: { opaque, jwt },
    tokens: tokenCache,
    clients,
    scopeStrategy: wildcardScopeStrategy,
    issuer: ISSUER,
    now: setup.now,
    refresh: { tokens: refreshTokens, grants },
  });
  const revocation = createRevocation({
    strategies: { opaque, jwt },
    tokens: tokenCache,
    flows: { refreshTokens, grants },
  });

  return {
    accessTokens,
    flows,
    grants,
    idTokens,
    opaque,
    jwt,
    refreshTokens,
    codes,
    clients,
    issuer,
    introspect: introspector.introspect,
    revocation,
    token: (form: Form, authorization?: string) => endpoint.handle({ authorization, form }),

    /** Stores a consented flow and completes it as the consent verifier does; the authorize response's params. */
    async authorize(options: FlowOptions): Promise<{ flow: FlowRecord; params: Record<string, string> }> {
      const now = setup.now();
      const flow = consentedFlow(options, now);
      flows.rows.set(flow.id, { flow, login_verifier: null, consent_verifier: null });
      const { params, artefacts } = await issuer.authorize(flow, options.client, now);
      if (!(await flows.complete(flow.id, artefacts, now))) throw new Error('flow not completed');
      return { flow: { ...flow, state: 'consent_used' }, params };
    },
  };
}

/** The wire body of an error class with the given hint. */
export const described = (ErrorClass: new (hint?: string) => OAuth2Error, hint?: string) =>
  new ErrorClass(hint).toJSON();

/** The wire body of a thrown OAuth2Error. */
export const json = (error: unknown) => (error as OAuth2Error).toJSON();

/** The rejection of a promise that must fail. */
export async function rejection<E = Error>(promise: Promise<unknown>): Promise<E> {
  try {
    await promise;
  } catch (error) {
    return error as E;
  }
  throw new Error('expected the request to fail');
}
