// PostgreSQL: the stores, the read caches kept fresh by change notifications (each cache subscribes to its own
// tables), the janitor, and the readiness probe.
import { ClientCache, invalidatingOnWrite } from '../cache/client-cache.js';
import { RevocationCache } from '../cache/revocation-cache.js';
import { TokenCache } from '../cache/token-cache.js';
import type { FlowStore } from '../flows/ports.js';
import { healthHandlers } from '../http/health.js';
import type { AccessTokenStore } from '../oauth2/ports.js';
import { databaseHealth } from '../storage/health.js';
import { connectionStringOf } from '../storage/knex.js';
import { PgChangeListener } from '../storage/pg-change-listener.js';
import { PgClientStore } from '../storage/pg-client-store.js';
import { PgDeviceStore } from '../storage/pg-device-store.js';
import { PgFlowStore } from '../storage/pg-flow-store.js';
import { PgGrantStore } from '../storage/pg-grant-store.js';
import { startJanitor } from '../storage/pg-janitor.js';
import { PgJtiStore } from '../storage/pg-jti-store.js';
import { PgKeyStore } from '../storage/pg-key-store.js';
import { PgLoginSessionStore } from '../storage/pg-login-session-store.js';
import { PgLogoutStore } from '../storage/pg-logout-store.js';
import { PgStatelessRevocations } from '../storage/pg-stateless-revocations.js';
import { PgAccessTokenStore } from '../storage/pg-token-store.js';
import { PgTrustStore } from '../storage/pg-trust-store.js';
import type { Feature, WiringContext } from './feature.js';

export function wireStorage({ config, knex, logger }: WiringContext) {
  const changes = new PgChangeListener({
    connectionString: connectionStringOf(knex),
    log: (level, message) => logger[level]({ component: 'cache' }, message),
  });
  // Hot-path client reads come from memory, kept fresh by PostgreSQL change notifications (see ClientCache).
  const clientCache = new ClientCache(new PgClientStore(knex));
  clientCache.watch(changes);
  const tokenStore = new PgAccessTokenStore(knex);
  const tokens = new TokenCache(tokenStore);
  tokens.watch(changes);
  // Issuing a token only inserts, which the cache passes straight through: the grants write to the store,
  // handed out insert-only so that nothing deletes a row without the cache forgetting it.
  const tokenInserts: Pick<AccessTokenStore, 'insert'> = tokenStore;
  const revocations = new RevocationCache(new PgStatelessRevocations(knex));
  revocations.watch(changes);

  const healthRoutes = healthHandlers(databaseHealth(knex, logger));
  let stopJanitor = async () => {};
  const feature: Feature = {
    publicHandlers: healthRoutes,
    adminHandlers: healthRoutes,
    async start() {
      await changes.start();
      stopJanitor = startJanitor(
        knex,
        // Unfinished login/consent requests go once their round trip can no longer complete (Hydra's --requests).
        { ...config.janitor, requestTtlMs: config.flows.ttl.loginConsentRequestMs },
        (level, fields, message) => logger[level]({ component: 'janitor', ...fields }, message),
      );
    },
    async close() {
      await stopJanitor();
      await changes.stop();
    },
  };
  return {
    changes,
    clientCache,
    clientStore: invalidatingOnWrite(new PgClientStore(knex), clientCache),
    tokens,
    tokenInserts,
    revocations,
    keyStore: new PgKeyStore(knex),
    // The browser flows' rows are read once per step, never cached: nothing to invalidate across replicas
    // (their access-token deletions go through the token table's change feed).
    flowStore: forgettingRevokedConsents(new PgFlowStore(knex), tokens),
    loginSessions: new PgLoginSessionStore(knex),
    logoutStore: new PgLogoutStore(knex),
    grantStore: new PgGrantStore(knex),
    deviceStore: new PgDeviceStore(knex),
    jtiStore: new PgJtiStore(knex),
    // jwt-bearer trust relationships (RFC 7523): read once per grant, never cached.
    trustStore: new PgTrustStore(knex),
    feature,
  };
}

export type Storage = ReturnType<typeof wireStorage>;

/**
 * Revoking consent sessions deletes their access tokens in SQL: this replica forgets its cached introspections
 * at once (the change feed tells the others), as the grants' revocations do.
 */
function forgettingRevokedConsents(store: PgFlowStore, tokens: TokenCache): FlowStore {
  const wrapped: FlowStore = Object.create(store);
  wrapped.revokeConsentSessions = (filter) => tokens.forgetAfter(() => store.revokeConsentSessions(filter));
  return wrapped;
}
