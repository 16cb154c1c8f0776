// RFC 6749 §4.4: the client credentials grant, in the order Hydra applies its checks
// (fosite/handler/oauth2/flow_client_credentials.go, then oauth2/handler.go oauth2TokenExchange, then
// PopulateTokenEndpointResponse): scope, audience, public client, granting, and only then the client's
// `grant_types`. Client authentication (RFC 6749 §4.4.2, §3.2.1) has already happened at the endpoint.
import { parseDurationMs } from '../../../sdk/duration.js';
import type { StoredClient } from '../../clients/client.js';
import type { AudienceStrategy } from '../audience-strategy.js';
import { requestedAudiences } from '../audience-strategy.js';
import { isPublicClient } from '../client-authentication.js';
import { InvalidGrant, InvalidScope, UnauthorizedClient } from '../errors.js';
import { dedupe, fields, formValue, splitSpaceList } from '../form.js';
import type { GrantHandler, TokenResponse } from '../grant-handler.js';
import type { AccessTokenStore, AccessTokenStrategy, AccessTokenStrategyName } from '../ports.js';
import type { ScopeStrategy } from '../scope-strategy.js';

export interface ClientCredentialsDeps {
  scopeStrategy: ScopeStrategy;
  audienceStrategy: AudienceStrategy;
  /** `urls.self.issuer`, the `iss` of every token. */
  issuer: string;
  /** `ttl.access_token` in milliseconds (Hydra's default is 1 h). */
  defaultLifespanMs: number;
  strategies: Record<AccessTokenStrategyName, AccessTokenStrategy>;
  /** `strategies.access_token`, used unless the client sets `access_token_strategy`. */
  defaultStrategy: AccessTokenStrategyName;
  /** Issuing only inserts: deleting goes through the token cache, which must forget what it deletes. */
  tokens: Pick<AccessTokenStore, 'insert'>;
  /** Whether the client's JWTs are stateless (no row; oauth2/stateless.ts). */
  statelessFor?: (client: StoredClient) => boolean;
  newRequestId: () => string;
  /** Read after the token is stored, to compute `expires_in`; defaults to the system clock. */
  clock?: () => Date;
}

const GRANT_TYPE = 'client_credentials';

export function clientCredentialsGrant(deps: ClientCredentialsDeps) {
  const clock = deps.clock ?? (() => new Date());

  return {
    grantType: GRANT_TYPE,
    parameters: ['scope', 'audience'],

    async handle({ client, form, now, hook }): Promise<TokenResponse> {
      const document = client.document;

      // fosite splits `scope` on spaces and de-duplicates it, case-sensitively.
      const scopes = dedupe(splitSpaceList(formValue(form, 'scope')));
      const allowedScopes = fields(document.scope ?? '');
      for (const scope of scopes) {
        if (!deps.scopeStrategy(allowedScopes, scope)) {
          throw new InvalidScope(`The OAuth 2.0 Client is not allowed to request scope '${scope}'.`);
        }
      }

      const audiences = dedupe(requestedAudiences(form));
      deps.audienceStrategy(document.audience ?? [], audiences);

      // RFC 6749 §4.4: only confidential clients may use this grant.
      if (isPublicClient(client)) {
        throw new InvalidGrant(
          "The OAuth 2.0 Client is marked as public and is thus not allowed to use authorization grant 'client_credentials'.",
        );
      }

      // Hydra grants exactly what was requested and passed the checks above: nothing by default.
      const lifespanMs = clientLifespanMs(client, deps);
      const expiresAt = new Date(now.getTime() + lifespanMs);

      // fosite checks the client's grant types last (PopulateTokenEndpointResponse), after scope and audience.
      requireGrant(client, GRANT_TYPE);

      // The token hooks (Hydra calls them for every grant): a refusal throws before anything is stored.
      const { access_token: ext } = await hook({
        subject: client.client_id,
        requested_scope: scopes,
        granted_scope: scopes,
        granted_audience: audiences,
        extras: { access_token: {}, id_token: {} },
        expires_at: { access_token: expiresAt },
      });
      const hasExt = Object.keys(ext).length > 0;

      const requestId = deps.newRequestId();
      const name = strategyName(client, deps.defaultStrategy);
      const strategy = deps.strategies[name];
      const stateless = name === 'jwt' && (deps.statelessFor?.(client) ?? false);
      const { token, signature } = await strategy.issue({
        request_id: requestId,
        issuer: deps.issuer,
        client_id: client.client_id,
        subject: client.client_id,
        scope: scopes,
        audience: audiences,
        issued_at: now,
        expires_at: expiresAt,
        ...(hasExt ? { ext } : {}),
        ...(stateless ? { stateless, client_created_at: client.created_at } : {}),
      });
      if (!stateless) {
        // Group commit (storage/batcher.ts): resolved once the row has committed, so the token is durable.
        await deps.tokens.insert({
          signature,
          request_id: requestId,
          client_id: client.client_id,
          subject: client.client_id,
          granted_scope: scopes,
          granted_audience: audiences,
          requested_at: now,
          expires_at: expiresAt,
          ...(hasExt ? { ext } : {}),
        });
      }

      return {
        access_token: token,
        expires_in: secondsUntil(expiresAt, clock()),
        scope: scopes.join(' '),
        token_type: 'bearer',
      };
    },
  } satisfies GrantHandler;
}

/** Hydra's GetEffectiveLifespan: the client's `client_credentials_grant_access_token_lifespan`, else the default. */
function clientLifespanMs(client: StoredClient, deps: ClientCredentialsDeps): number {
  const lifespan = client.document.client_credentials_grant_access_token_lifespan;
  return lifespan ? parseDurationMs(lifespan) : deps.defaultLifespanMs;
}

/** Hydra's GetGrantTypes: an empty list means `authorization_code`; fosite's `Has` compares case-insensitively. */
export function allowsGrant(client: StoredClient, grantType: string): boolean {
  const granted = client.document.grant_types?.length ? client.document.grant_types : ['authorization_code'];
  return granted.some((type) => type.toLowerCase() === grantType);
}

/** fosite's refusal of a grant type the client was not registered for (RFC 6749 §5.2 unauthorized_client). */
export function requireGrant(client: StoredClient, grantType: string): void {
  if (!allowsGrant(client, grantType)) {
    throw new UnauthorizedClient(
      `The OAuth 2.0 Client is not allowed to use authorization grant '${grantType}'.`,
    );
  }
}

/** The client's `access_token_strategy` (case-insensitive) when it names a strategy, else the server default. */
export function strategyName(
  client: StoredClient,
  fallback: AccessTokenStrategyName,
): AccessTokenStrategyName {
  const chosen = client.document.access_token_strategy?.toLowerCase();
  return chosen === 'jwt' || chosen === 'opaque' ? chosen : fallback;
}

/**
 * fosite's `expires_in`: (exp − time.Now()) in nanoseconds, truncated to whole seconds toward zero. Go reads
 * the clock after storing the token, so the difference is always a little under the lifespan and a 1 h token
 * answers 3599. With millisecond clocks both readings can be equal; the time that did pass is then under one
 * millisecond, so a whole-second difference still counts as just below it.
 */
export function secondsUntil(expiresAt: Date, now: Date): number {
  const ms = expiresAt.getTime() - now.getTime();
  const seconds = ms > 0 ? Math.ceil(ms / 1000) - 1 : Math.ceil((ms - 0.5) / 1000);
  return seconds === 0 ? 0 : seconds;
}
