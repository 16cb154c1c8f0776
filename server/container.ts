// Composition root: the only file that constructs stores, services, strategies and grants, and wires them to
// the HTTP layer's narrow endpoint interfaces.
import { randomUUID } from 'node:crypto';
import type { RequestListener } from 'node:http';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { parseDuration } from '../sdk/duration.js';
import { ClientCache, invalidatingOnWrite } from './cache/client-cache.js';
import { RevocationCache } from './cache/revocation-cache.js';
import { TokenCache } from './cache/token-cache.js';
import { rememberVerifiedSecrets } from './cache/verified-secrets.js';
import { ClientService } from './clients/client-service.js';
import { secretHashUpgrade } from './clients/secret-hash-upgrade.js';
import type { Config } from './config.js';
import { Pbkdf2Hasher } from './crypto/hasher.js';
import { SystemSecrets } from './crypto/secrets.js';
import { clientHandlers } from './http/admin/clients.js';
import { keyHandlers } from './http/admin/keys.js';
import { metadataHandlers } from './http/admin/metadata.js';
import { metricsHandlers } from './http/admin/metrics.js';
import { oauth2AdminHandlers } from './http/admin/oauth2.js';
import { adminAuthentication } from './http/admin-auth.js';
import { createAdminApp, createPublicApp } from './http/apps.js';
import { loadContract } from './http/contract.js';
import type { HealthCheck, KeyEndpoints, OAuth2Endpoints } from './http/endpoints.js';
import { healthHandlers } from './http/health.js';
import { requestMetrics } from './http/metrics.js';
import { tokenHandlers } from './http/public/token.js';
import { wellKnownHandlers } from './http/public/well-known.js';
import { rateLimit } from './http/rate-limit.js';
import { sourceAddress } from './http/source-address.js';
import { ACCESS_TOKEN_KEY_SET, ID_TOKEN_KEY_SET, KeyManager } from './keys/key-manager.js';
import { defaultAudienceStrategy as audienceStrategy } from './oauth2/audience-strategy.js';
import {
  authenticateClient,
  type ClientAuthenticationRequest,
  dummySecretHash,
} from './oauth2/client-authentication.js';
import type { Form } from './oauth2/form.js';
import { createGrants } from './oauth2/grants/index.js';
import { createIntrospector } from './oauth2/introspection.js';
import { createRevocation } from './oauth2/revocation.js';
import { scopeStrategyFor } from './oauth2/scope-strategy.js';
import { statelessFor } from './oauth2/stateless.js';
import { createTokenEndpoint } from './oauth2/token-endpoint.js';
import { JwtTokenStrategy, OpaqueTokenStrategy } from './oauth2/token-strategies.js';
import { auditedClients, createAudit, observedOAuth2 } from './observability/audit.js';
import { Metrics } from './observability/metrics.js';
import { FailedAuthenticationLockout } from './protection/lockout.js';
import { withLockout } from './protection/throttled-authentication.js';
import { TokenBuckets } from './protection/token-bucket.js';
import { connectionStringOf, migrationStatus } from './storage/knex.js';
import { PgChangeListener } from './storage/pg-change-listener.js';
import { PgClientStore } from './storage/pg-client-store.js';
import { startJanitor } from './storage/pg-janitor.js';
import { PgKeyStore } from './storage/pg-key-store.js';
import { PgStatelessRevocations } from './storage/pg-stateless-revocations.js';
import { PgAccessTokenStore } from './storage/pg-token-store.js';
import { VERSION } from './version.js';

export interface Container {
  publicApp: RequestListener;
  adminApp: RequestListener;
  /** Start-up work that needs the database; failures are logged, never fatal (the database may be down). */
  start(): Promise<void>;
  close(): Promise<void>;
}

export function buildContainer(config: Config, knex: Knex, logger: Logger): Container {
  const secrets = new SystemSecrets(config.secretsSystem);
  // Hot-path client reads come from memory, kept fresh by PostgreSQL change notifications (see ClientCache).
  const clientCache = new ClientCache(new PgClientStore(knex));
  const clientStore = invalidatingOnWrite(new PgClientStore(knex), clientCache);
  const changes = new PgChangeListener({
    connectionString: connectionStringOf(knex),
    onChange: (change) => {
      if (change.table === 'oauth2_clients') clientCache.invalidate(change.id);
      if (change.table === 'oauth2_access_tokens') tokenStore.forget();
      if (change.table === 'oauth2_token_not_before' || change.table === 'oauth2_revoked_stateless_tokens')
        revocations.forget();
      if (change.table === 'jwks') keys.forget(change.id);
    },
    onStatus: (listening) => {
      // Key sets keep their 30 s TTL while notifications are down; on resume, changes meanwhile were missed.
      if (listening) keys.forget();
      clientCache.setEnabled(listening);
      tokenStore.setEnabled(listening);
      revocations.setEnabled(listening);
    },
    log: (level, message) => logger[level]({ component: 'cache' }, message),
  });
  const tokenStore = new TokenCache(new PgAccessTokenStore(knex));
  const revocations = new RevocationCache(new PgStatelessRevocations(knex));
  const keys = new KeyManager(new PgKeyStore(knex), secrets, {
    onUnreadable: (error) =>
      logger.error(
        { set: error.setId, kid: error.kid, reason: error.message },
        'a JSON Web Key cannot be read',
      ),
  });
  const hasher = new Pbkdf2Hasher(config.pbkdf2Iterations);
  const scopeStrategy = scopeStrategyFor(config.strategies.scope);
  const jwt = new JwtTokenStrategy(keys, { scopeClaim: config.strategies.jwtScopeClaim });
  const strategies = { opaque: new OpaqueTokenStrategy(secrets), jwt };
  const stateless = {
    record: (token: string, signature: string) => jwt.statelessRecord(token, signature),
    revocations,
  };

  const clients = new ClientService({
    store: clientStore,
    hasher,
    // Hydra issues a registration access token with every created client; only its signature would be stored.
    registrationToken: () =>
      strategies.opaque.issue({
        request_id: randomUUID(),
        issuer: config.issuer,
        client_id: '',
        subject: '',
        scope: [],
        audience: [],
        issued_at: new Date(),
        expires_at: new Date(),
      }),
    publicUrl: config.publicUrl,
  });

  const metrics = new Metrics();
  metrics.watchPool(knex);
  const audit = createAudit(logger);

  const verifySecret = rememberVerifiedSecrets((s, h) => hasher.verify(s, h));
  const unknownClientHash = dummySecretHash((s) => hasher.hash(s));
  const secretVerified = secretHashUpgrade({
    hasher,
    store: clientStore,
    onError: (clientId, err) =>
      logger.warn(
        { client_id: clientId, reason: (err as Error)?.message },
        'could not rehash a client secret',
      ),
  });
  const authenticate = (request: ClientAuthenticationRequest) =>
    authenticateClient(request, { clients: clientCache, verifySecret, unknownClientHash, secretVerified });
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
  const tokenEndpoint = createTokenEndpoint({
    authenticate: guardedAuthenticate,
    grants: createGrants({
      scopeStrategy,
      audienceStrategy,
      issuer: config.issuer,
      defaultLifespanMs: config.accessTokenTtlMs,
      parseLifespan: (d) => Number(parseDuration(d)) / 1e6,
      strategies,
      defaultStrategy: config.strategies.accessToken,
      tokens: tokenStore,
      statelessFor: (client) => statelessFor(client, config.strategies.jwtStateless),
      newRequestId: randomUUID,
    }),
  });
  const introspector = createIntrospector({
    strategies,
    tokens: tokenStore,
    clients: clientCache,
    scopeStrategy,
    issuer: config.issuer,
    stateless,
  });
  const revocation = createRevocation({ strategies, tokens: tokenStore, stateless });

  const oauth2: OAuth2Endpoints = {
    token: ({ authorization, form, source }) =>
      tokenEndpoint.handle({ authorization, form: form as Form, source }),
    async revoke({ authorization, form, source, log = logger }) {
      const client = await guardedAuthenticate({ authorization, form: form as Form, source });
      const outcome = await revocation.revoke(form as Form as { token?: string }, client);
      audit(
        outcome.revoked
          ? 'token.revoked'
          : outcome.reason === 'other_client'
            ? 'token.revocation_refused'
            : 'token.revocation_unknown',
        { client_id: client.client_id, ...(outcome.revoked ? {} : { reason: outcome.reason }) },
        log,
      );
      // RFC 7009 §2.2: answered 200 either way, but a revocation attempt on another client's token is worth a note.
      if (!outcome.revoked && outcome.reason === 'other_client') {
        log.warn(
          { client_id: client.client_id, token_client_id: outcome.token_client_id },
          'revocation refused: the token belongs to another client',
        );
      }
    },
    introspect: (form) => introspector.introspect(form as { token?: string; scope?: string }),
    deleteClientTokens: (clientId) => revocation.deleteClientTokens(clientId),
  };

  const keyEndpoints: KeyEndpoints = {
    getSet: (set) => keys.getSet(set),
    createSet: (set, request) => keys.generateSet(set, request),
    setSet: (set, jwks) => keys.setSet(set, jwks),
    deleteSet: (set) => keys.deleteSet(set),
    getKey: (set, kid) => keys.getKey(set, kid),
    setKey: (set, kid, jwk) => keys.setKey(set, kid, jwk),
    deleteKey: (set, kid) => keys.deleteKey(set, kid),
    publicKeys: () =>
      keys.publicKeys([...new Set([...config.broadcastKeys, ACCESS_TOKEN_KEY_SET, ID_TOKEN_KEY_SET])]),
  };

  // The probe is unauthenticated on both ports: it answers generic text, and the driver's reason (which can name
  // the database user, host or database) goes to the log, once per change of reason.
  let notReadyLogged: string | undefined;
  const health: HealthCheck = {
    async notReady() {
      try {
        const { pending } = await migrationStatus(knex);
        notReadyLogged = undefined;
        return pending.length > 0 ? { database: `${pending.length} migration(s) pending` } : null;
      } catch (err) {
        const reason = (err as Error)?.message ?? String(err);
        if (reason !== notReadyLogged) {
          notReadyLogged = reason;
          logger.error({ reason }, 'not ready: the database is unreachable');
        }
        return { database: 'the database is unreachable' };
      }
    },
  };

  const contract = loadContract();
  const healthRoutes = healthHandlers(health);
  const observed = observedOAuth2(oauth2, audit, metrics);
  const bucket = (b: { rate: number; burst: number }) =>
    limits.enabled && b.rate > 0 ? new TokenBuckets(b) : undefined;
  // One set of buckets for both ports: an address or client counts the same wherever it calls. Without any
  // bucket (the default) the hook is left out: it would only cost time on every token request.
  const buckets = { perClient: bucket(limits.perClient), perAddress: bucket(limits.perAddress) };
  const source = sourceAddress(config.serve.trustedProxies);
  const limiter = buckets.perClient || buckets.perAddress ? [rateLimit(buckets, source)] : [];
  const adminAuth =
    config.protection.adminTokens.length > 0 ? [adminAuthentication(config.protection.adminTokens)] : [];
  const publicApp = createPublicApp(
    logger,
    contract,
    {
      ...tokenHandlers(observed),
      ...wellKnownHandlers({ issuer: config.issuer, publicUrl: config.publicUrl, keys: keyEndpoints }),
      ...healthRoutes,
    },
    { beforeBody: [requestMetrics(metrics, 'public')], afterBody: limiter, sourceAddress: source },
  );
  const adminApp = createAdminApp(
    logger,
    contract,
    {
      ...clientHandlers(auditedClients(clients, audit)),
      ...oauth2AdminHandlers(observed),
      ...keyHandlers(keyEndpoints),
      ...metadataHandlers(VERSION),
      ...metricsHandlers(metrics),
      ...healthRoutes,
    },
    {
      beforeBody: [requestMetrics(metrics, 'admin'), ...adminAuth],
      afterBody: limiter,
      sourceAddress: source,
    },
  );

  let stopJanitor = async () => {};
  return {
    publicApp,
    adminApp,
    async start() {
      await changes.start();
      stopJanitor = startJanitor(knex, config.janitor, (level, fields, message) =>
        logger[level]({ component: 'janitor', ...fields }, message),
      );
      // Only looks: resealing is `tollgate secrets reseal`, once every replica has the new SECRETS_SYSTEM.
      try {
        const { stale, unreadable } = await keys.sealStatus();
        if (stale > 0) {
          logger.info(
            { stale },
            'some JSON Web Keys are sealed with an older system secret: once every replica runs with this SECRETS_SYSTEM, run `tollgate secrets reseal`',
          );
        }
        if (unreadable > 0) {
          logger.error(
            { unreadable },
            'some JSON Web Keys open with no configured system secret: SECRETS_SYSTEM lacks the secret they were sealed with',
          );
        }
      } catch (err) {
        logger.warn({ reason: (err as Error).message }, 'could not check the JSON Web Keys at start-up');
      }
    },
    async close() {
      await stopJanitor();
      await changes.stop();
    },
  };
}
