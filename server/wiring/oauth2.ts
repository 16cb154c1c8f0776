// OAuth 2.0: the client registry, client authentication (with the failed-authentication lockout), the token
// endpoint's grants, introspection and revocation (RFC 6749, 7662, 7009).
import { randomUUID } from 'node:crypto';
import { rememberVerifiedSecrets } from '../cache/verified-secrets.js';
import { ClientService } from '../clients/client-service.js';
import { createRegistration } from '../clients/registration.js';
import { secretHashUpgrade } from '../clients/secret-hash-upgrade.js';
import type { Config } from '../config.js';
import { Pbkdf2Hasher } from '../crypto/hasher.js';
import type { SystemSecrets } from '../crypto/secrets.js';
import type { IdTokens } from '../flows/types.js';
import { clientHandlers } from '../http/admin/clients.js';
import { oauth2AdminHandlers } from '../http/admin/oauth2.js';
import { tokenClientOf } from '../http/cors.js';
import type { OAuth2Endpoints } from '../http/endpoints.js';
import { registrationHandlers } from '../http/public/registration.js';
import { tokenHandlers } from '../http/public/token.js';
import type { KeyManager } from '../keys/key-manager.js';
import {
  type AudienceStrategy,
  defaultAudienceStrategy as audienceStrategy,
} from '../oauth2/audience-strategy.js';
import {
  type ClientAuthenticator,
  clientAuthenticator,
  dummySecretHash,
} from '../oauth2/client-authentication.js';
import { createClientJwks } from '../oauth2/client-jwks.js';
import type { GrantTokensDeps } from '../oauth2/grant-tokens.js';
import { createGrants } from '../oauth2/grants/index.js';
import { createIntrospector, type StatelessTokens } from '../oauth2/introspection.js';
import { assertionAudiences } from '../oauth2/jwt-assertion.js';
import { authenticatedRevocation, createRevocation } from '../oauth2/revocation.js';
import { type ScopeStrategy, scopeStrategyFor } from '../oauth2/scope-strategy.js';
import { statelessPolicy } from '../oauth2/stateless.js';
import { createTokenEndpoint } from '../oauth2/token-endpoint.js';
import { createTokenHooks } from '../oauth2/token-hooks.js';
import {
  JwtTokenStrategy,
  OpaqueTokenStrategy,
  registrationTokenIssuer,
  TOKEN_PREFIXES,
} from '../oauth2/token-strategies.js';
import type { Audit } from '../observability/audit.js';
import type { Metrics } from '../observability/metrics.js';
import {
  createSubjectIdentifiers,
  pairwiseClientChecks,
  type SubjectIdentifierOptions,
} from '../oidc/pairwise.js';
import { FailedAuthenticationLockout } from '../protection/lockout.js';
import { withLockout } from '../protection/throttled-authentication.js';
import { TokenBuckets } from '../protection/token-bucket.js';
import type { Feature, WiringContext } from './feature.js';
import { outboundFetch } from './outbound.js';
import type { Storage } from './storage.js';

export interface OAuth2Dependencies {
  storage: Storage;
  secrets: SystemSecrets;
  keys: KeyManager;
  audit: Audit;
  metrics: Metrics;
  /** The ID token signer (server/oidc/id-token.ts): the code and refresh grants issue ID tokens. */
  idTokens: Pick<IdTokens, 'sign'>;
}

/** What the browser flows reuse from the OAuth 2.0 feature (server/wiring/flows.ts). */
export interface OAuth2Shared {
  strategies: { opaque: OpaqueTokenStrategy; jwt: JwtTokenStrategy };
  scopeStrategy: ScopeStrategy;
  audienceStrategy: AudienceStrategy;
  stateless: StatelessTokens;
  /** Server-wide lifespans and options of the flow grants, as the grants read them. */
  grantSettings: Omit<GrantTokensDeps, 'idTokens'>;
  /** The token endpoint's client authentication (with its lockout): the device authorization endpoint uses it too. */
  authenticate: ClientAuthenticator;
  /** `ory_dc_` device codes (RFC 8628). */
  deviceCodes: OpaqueTokenStrategy;
}

/**
 * RFC 7591/7592 at /oauth2/register. The per-address limits count per process, and `rate_limit.enabled`
 * switches them off with every other limit.
 */
function wireRegistration(
  config: WiringContext['config'],
  clients: ClientService,
  storage: Storage,
  tokens: OpaqueTokenStrategy,
) {
  const limits = config.protection.rateLimit;
  const { perAddress, failedPerAddress, windowMs } = config.dynamicRegistration.rateLimit;
  const on = (n: number) => limits.enabled && n > 0;
  return createRegistration({
    enabled: config.dynamicRegistration.enabled,
    clients,
    store: storage.clientStore,
    tokenKey: (token) => tokens.validate(token),
    outbound: config.clientsHttp,
    limits: {
      // A bucket of `perAddress` that refills `perAddress` per window.
      registrations: on(perAddress)
        ? new TokenBuckets({ rate: (perAddress * 1000) / windowMs, burst: perAddress })
        : undefined,
      failedChecks: on(failedPerAddress)
        ? new FailedAuthenticationLockout({
            threshold: failedPerAddress,
            durationMs: windowMs,
            delayMs: 0,
            maxKeys: limits.lockout.capacity,
          })
        : undefined,
    },
  });
}

/** `oidc.subject_identifiers.*` and the access token strategy, as server/oidc/pairwise.ts reads them. */
export function subjectIdentifierOptions(
  config: Pick<Config, 'subjectIdentifiers' | 'strategies'>,
): SubjectIdentifierOptions {
  return { ...config.subjectIdentifiers, defaultStrategy: config.strategies.accessToken };
}

export function wireOAuth2(
  { config, logger }: WiringContext,
  deps: OAuth2Dependencies,
): Feature & { tokenClient: (token: string) => Promise<string | null>; shared: OAuth2Shared } {
  const { storage, audit } = deps;
  const hasher = new Pbkdf2Hasher(config.pbkdf2Iterations);
  const scopeStrategy = scopeStrategyFor(config.strategies.scope);
  const jwt = new JwtTokenStrategy(deps.keys, { scopeClaim: config.strategies.jwtScopeClaim });
  const strategies = { opaque: new OpaqueTokenStrategy(deps.secrets), jwt };
  // Refresh tokens and codes: Hydra's opaque format with their own prefixes (ory_rt_, ory_ac_).
  const refreshTokens = new OpaqueTokenStrategy(deps.secrets, { prefix: TOKEN_PREFIXES.refresh_token });
  const codes = new OpaqueTokenStrategy(deps.secrets, { prefix: TOKEN_PREFIXES.authorize_code });
  const deviceCodes = new OpaqueTokenStrategy(deps.secrets, { prefix: TOKEN_PREFIXES.device_code });
  const stateless: StatelessTokens = {
    record: jwt.statelessRecord.bind(jwt),
    revocations: storage.revocations,
  };

  const subjectOptions = subjectIdentifierOptions(config);
  const subjects = createSubjectIdentifiers(subjectOptions);
  if (subjectOptions.supportedTypes.includes('pairwise') && subjectOptions.defaultStrategy === 'jwt') {
    // Hydra disables pairwise here with a warning too: a JWT access token would show the client the raw subject.
    logger.warn(
      'pairwise subject identifiers are offered only to clients with access_token_strategy opaque, because strategies.access_token is jwt (a JWT access token shows the client the raw subject)',
    );
  }

  // Client-registered URLs (sector_identifier_uri, jwks_uri) go through the one SSRF-guarded fetch (clients.http.*).
  const outbound = outboundFetch(config);
  const clients = new ClientService({
    store: storage.clientStore,
    hasher,
    registrationToken: registrationTokenIssuer(strategies.opaque),
    publicUrl: config.publicUrl,
    validation: {
      defaultScope: config.dynamicRegistration.defaultScope,
      subjectTypesSupported: subjects.typesFor,
      allowHttpSectorUri: config.dev,
    },
    checkClient: pairwiseClientChecks({ subjects, sector: { fetch: outbound } }),
  });

  // Looked up on the hasher at each call (not bound once), so the hashing stays observable in-process: the
  // enumeration test counts it to show unknown ids cost the same hash work.
  const verifySecret = rememberVerifiedSecrets((s, h) => hasher.verify(s, h));
  const unknownClientHash = dummySecretHash((s) => hasher.hash(s));
  const secretVerified = secretHashUpgrade({
    hasher,
    store: storage.clientStore,
    onError: (clientId, err) =>
      logger.warn(
        { client_id: clientId, reason: (err as Error)?.message },
        'could not rehash a client secret',
      ),
  });
  const authenticate = clientAuthenticator({
    clients: storage.clientCache,
    verifySecret,
    unknownClientHash,
    secretVerified,
    // private_key_jwt: the token URL is the audience Hydra accepts; the issuer is also accepted (jwt-assertion.ts).
    assertions: {
      jwks: createClientJwks({ fetch: outbound }),
      jtis: storage.jtiStore,
      audiences: assertionAudiences(config.publicUrl, config.issuer),
    },
  });
  const limits = config.protection.rateLimit;
  // Every endpoint that authenticates a client goes through the failed-authentication lockout.
  const guardedAuthenticate = limits.enabled
    ? withLockout(
        authenticate,
        new FailedAuthenticationLockout({ ...limits.lockout, maxKeys: limits.lockout.capacity }),
        {
          onLockout: (clientId, address, ms) =>
            audit('client.locked_out', { client_id: clientId, address, seconds: Math.ceil(ms / 1000) }),
        },
      )
    : authenticate;
  const registration = wireRegistration(config, clients, storage, strategies.opaque);
  const flowSettings = config.flows;
  const grantSettings: OAuth2Shared['grantSettings'] = {
    issuer: config.issuer,
    strategies,
    defaultStrategy: config.strategies.accessToken,
    refreshTokens,
    codes,
    ttl: {
      accessTokenMs: config.accessTokenTtlMs,
      refreshTokenMs: flowSettings.ttl.refreshTokenMs,
      idTokenMs: flowSettings.ttl.idTokenMs,
      authCodeMs: flowSettings.ttl.authCodeMs,
    },
    topLevelClaims: {
      allowed: flowSettings.allowedTopLevelClaims,
      mirror: flowSettings.mirrorTopLevelClaims,
    },
    subjects,
  };
  const hooks = createTokenHooks({
    tokenHook: config.tokenHooks.tokenHook,
    refreshTokenHook: config.tokenHooks.refreshTokenHook,
    timeoutMs: config.tokenHooks.timeoutMs,
    issuer: config.issuer,
    topLevelClaims: grantSettings.topLevelClaims,
    // The target without its query, the status and the reason: never the hook's credential or reply body.
    onFailure: (failure) => logger.warn(failure, 'token hook failed; the token was refused'),
  });
  const tokenEndpoint = createTokenEndpoint({
    authenticate: guardedAuthenticate,
    hooks,
    grants: createGrants({
      flows: {
        ...grantSettings,
        grants: storage.grantStore,
        idTokens: deps.idTokens,
        pkce: flowSettings.pkce,
        rotation: {
          ...flowSettings.refreshRotation,
          // A rotated refresh token's row stays a day, so that a late reuse is still recognised and revokes.
          keepRotatedMs: 24 * 3_600_000,
        },
        accessTokenCache: storage.tokens,
        device: { deviceCodes, devices: storage.deviceStore, flows: storage.flowStore },
      },
      scopeStrategy,
      audienceStrategy,
      issuer: config.issuer,
      defaultLifespanMs: config.accessTokenTtlMs,
      strategies,
      defaultStrategy: config.strategies.accessToken,
      tokens: storage.tokenInserts,
      statelessFor: statelessPolicy(config.strategies.jwtStateless),
      newRequestId: randomUUID,
      // RFC 7523 jwt-bearer: Hydra accepts the token URL as the assertion's audience; Tollgate the issuer too.
      jwtBearer: {
        trust: storage.trustStore,
        jti: storage.jtiStore,
        audiences: assertionAudiences(config.publicUrl, config.issuer),
        ...config.jwtBearer,
      },
    }),
  });
  const introspector = createIntrospector({
    strategies,
    tokens: storage.tokens,
    clients: storage.clientCache,
    scopeStrategy,
    issuer: config.issuer,
    stateless,
    refresh: { tokens: refreshTokens, grants: storage.grantStore },
    pairwise: { subjects, flows: storage.flowStore },
  });
  const revocation = createRevocation({
    strategies,
    tokens: storage.tokens,
    stateless,
    flows: { refreshTokens, grants: storage.grantStore },
  });

  // The domain's own functions, not closures here: no request-time call comes back into server/wiring/.
  const oauth2: OAuth2Endpoints = {
    token: tokenEndpoint.handle,
    revoke: authenticatedRevocation(revocation, guardedAuthenticate),
    introspect: introspector.introspect,
    deleteClientTokens: revocation.deleteClientTokens,
  };
  return {
    publicHandlers: {
      ...tokenHandlers(oauth2, audit, deps.metrics),
      ...registrationHandlers(registration, audit),
    },
    adminHandlers: { ...clientHandlers(clients, audit), ...oauth2AdminHandlers(oauth2, audit) },
    // CORS on the public port finds a bearer token's client by introspecting it, as Hydra's oauth2cors does.
    tokenClient: tokenClientOf(introspector),
    shared: {
      strategies,
      scopeStrategy,
      audienceStrategy,
      stateless,
      grantSettings,
      authenticate: guardedAuthenticate,
      deviceCodes,
    },
  };
}
