// OAuth 2.0: the client registry, client authentication (with the failed-authentication lockout), the token
// endpoint's grants, introspection and revocation (RFC 6749, 7662, 7009).
import { randomUUID } from 'node:crypto';
import { parseDuration } from '../../sdk/duration.js';
import { rememberVerifiedSecrets } from '../cache/verified-secrets.js';
import { ClientService } from '../clients/client-service.js';
import { secretHashUpgrade } from '../clients/secret-hash-upgrade.js';
import { Pbkdf2Hasher } from '../crypto/hasher.js';
import type { SystemSecrets } from '../crypto/secrets.js';
import { clientHandlers } from '../http/admin/clients.js';
import { oauth2AdminHandlers } from '../http/admin/oauth2.js';
import type { OAuth2Endpoints } from '../http/endpoints.js';
import { tokenHandlers } from '../http/public/token.js';
import type { KeyManager } from '../keys/key-manager.js';
import { defaultAudienceStrategy as audienceStrategy } from '../oauth2/audience-strategy.js';
import {
  authenticateClient,
  type ClientAuthenticationRequest,
  dummySecretHash,
} from '../oauth2/client-authentication.js';
import type { Form } from '../oauth2/form.js';
import { createGrants } from '../oauth2/grants/index.js';
import { createIntrospector } from '../oauth2/introspection.js';
import { createRevocation } from '../oauth2/revocation.js';
import { scopeStrategyFor } from '../oauth2/scope-strategy.js';
import { statelessFor } from '../oauth2/stateless.js';
import { createTokenEndpoint } from '../oauth2/token-endpoint.js';
import { JwtTokenStrategy, OpaqueTokenStrategy } from '../oauth2/token-strategies.js';
import { type Audit, auditedClients, auditRevocation, observedOAuth2 } from '../observability/audit.js';
import type { Metrics } from '../observability/metrics.js';
import { FailedAuthenticationLockout } from '../protection/lockout.js';
import { withLockout } from '../protection/throttled-authentication.js';
import type { Feature, WiringContext } from './feature.js';
import type { Storage } from './storage.js';

export interface OAuth2Dependencies {
  storage: Storage;
  secrets: SystemSecrets;
  keys: KeyManager;
  audit: Audit;
  metrics: Metrics;
}

export function wireOAuth2({ config, logger }: WiringContext, deps: OAuth2Dependencies): Feature {
  const { storage, audit } = deps;
  const hasher = new Pbkdf2Hasher(config.pbkdf2Iterations);
  const scopeStrategy = scopeStrategyFor(config.strategies.scope);
  const jwt = new JwtTokenStrategy(deps.keys, { scopeClaim: config.strategies.jwtScopeClaim });
  const strategies = { opaque: new OpaqueTokenStrategy(deps.secrets), jwt };
  const stateless = {
    record: (token: string, signature: string) => jwt.statelessRecord(token, signature),
    revocations: storage.revocations,
  };

  const clients = new ClientService({
    store: storage.clientStore,
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
  const authenticate = (request: ClientAuthenticationRequest) =>
    authenticateClient(request, {
      clients: storage.clientCache,
      verifySecret,
      unknownClientHash,
      secretVerified,
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
      tokens: storage.tokens,
      statelessFor: (client) => statelessFor(client, config.strategies.jwtStateless),
      newRequestId: randomUUID,
    }),
  });
  const introspector = createIntrospector({
    strategies,
    tokens: storage.tokens,
    clients: storage.clientCache,
    scopeStrategy,
    issuer: config.issuer,
    stateless,
  });
  const revocation = createRevocation({ strategies, tokens: storage.tokens, stateless });

  const oauth2: OAuth2Endpoints = {
    token: ({ authorization, form, source }) =>
      tokenEndpoint.handle({ authorization, form: form as Form, source }),
    async revoke({ authorization, form, source, log = logger }) {
      const client = await guardedAuthenticate({ authorization, form: form as Form, source });
      const outcome = await revocation.revoke(form as Form as { token?: string }, client);
      auditRevocation(audit, client.client_id, outcome, log);
    },
    introspect: (form) => introspector.introspect(form as { token?: string; scope?: string }),
    deleteClientTokens: (clientId) => revocation.deleteClientTokens(clientId),
  };
  const observed = observedOAuth2(oauth2, audit, deps.metrics);
  return {
    publicHandlers: tokenHandlers(observed),
    adminHandlers: { ...clientHandlers(auditedClients(clients, audit)), ...oauth2AdminHandlers(observed) },
  };
}
