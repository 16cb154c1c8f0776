// POST /admin/oauth2/introspect (RFC 7662), as Hydra answers it (oauth2/handler.go introspectOAuth2Token,
// fosite/handler/oauth2/introspector.go). Every reason a token is not usable, and a `scope` parameter that
// was not granted, gives the same `{"active":false}` (RFC 7662 §2.2), so nothing about the token leaks.
// Failures of the store or key material are not "inactive": they propagate, so the caller answers 503.
//
// Only access tokens exist in Tollgate, so `token_type_hint` has nothing to choose between and is ignored
// (RFC 7662 §2.1 allows that).
import type { StoredClient } from '../clients/client.js';
import { InvalidRequest } from './errors.js';
import { formValue, isEmptyForm, splitSpaceList } from './form.js';
import type { AccessTokenStore, AccessTokenStrategy } from './ports.js';
import type { ScopeStrategy } from './scope-strategy.js';
import { issuedBy, type StatelessRecord, type StatelessRevocations } from './stateless.js';

/** The form parameters read; a repeated parameter counts with its first value (Go's `PostForm.Get`). */
export interface IntrospectionRequest {
  token?: string | string[];
  /** Optional space-separated scopes that must all have been granted. */
  scope?: string | string[];
}

/** Key order is Hydra's; `scope` is omitted when nothing was granted. */
export interface ActiveIntrospection {
  active: true;
  scope?: string;
  client_id: string;
  sub: string;
  exp: number;
  iat: number;
  nbf: number;
  aud: string[];
  iss: string;
  token_type: 'Bearer';
  token_use: 'access_token';
}

export type IntrospectionResult = ActiveIntrospection | { active: false };

export interface IntrospectorDeps {
  strategies: { opaque: AccessTokenStrategy; jwt: AccessTokenStrategy };
  tokens: AccessTokenStore;
  clients: { get(id: string): Promise<StoredClient | null> };
  scopeStrategy: ScopeStrategy;
  issuer: string;
  now?: () => Date;
  stateless?: StatelessTokens;
}

/** How stateless JWTs are read and checked for revocation (oauth2/stateless.ts). */
export interface StatelessTokens {
  /** The claims of a validated token when it is stateless, else null. */
  record(token: string, signature: string): StatelessRecord | null;
  revocations: StatelessRevocations;
}

export interface Introspector {
  introspect(request: IntrospectionRequest): Promise<IntrospectionResult>;
}

const INACTIVE = { active: false } as const;

export function createIntrospector(deps: IntrospectorDeps): Introspector {
  const now = deps.now ?? (() => new Date());

  return {
    async introspect(request) {
      // fosite's NewIntrospectionRequest: the one case that is an error rather than an inactive token.
      if (isEmptyForm(request)) throw new InvalidRequest('The POST body can not be empty.');
      const token = formValue(request, 'token');
      if (token === '') return INACTIVE;

      const signature = await validate(token, deps.strategies);
      if (signature === null) return INACTIVE;
      // A stateless token carries its record; any other has a row, or is revoked or unknown.
      const stateless = deps.stateless?.record(token, signature) ?? null;
      const record = stateless ?? (await deps.tokens.get(signature));
      if (!record) return INACTIVE;

      // fosite: expired once the expiry lies before now.
      if (record.expires_at.getTime() < now().getTime()) return INACTIVE;

      // Hydra reads the token together with its client; a deleted client's tokens are gone. A stateless token
      // has no row to go with it: it must have been issued by this client, not an earlier one of that id.
      const client = await deps.clients.get(record.client_id);
      if (!client) return INACTIVE;
      if (stateless && !issuedBy(stateless, client)) return INACTIVE;
      if (stateless && (await deps.stateless?.revocations.isRevoked(stateless))) return INACTIVE;

      // fosite's matchScopes: each requested scope is checked against the GRANTED scopes, empty entries skipped.
      for (const wanted of splitSpaceList(formValue(request, 'scope'))) {
        if (!deps.scopeStrategy(record.granted_scope, wanted)) return INACTIVE;
      }

      const issuedAt = unixSeconds(record.requested_at);
      return {
        active: true,
        ...(record.granted_scope.length > 0 ? { scope: record.granted_scope.join(' ') } : {}),
        client_id: record.client_id,
        sub: record.subject,
        exp: unixSeconds(record.expires_at),
        iat: issuedAt,
        nbf: issuedAt,
        aud: [...record.granted_audience],
        iss: deps.issuer,
        token_type: 'Bearer',
        token_use: 'access_token',
      };
    },
  };
}

/**
 * Checks the token's integrity with each strategy, the one its shape suggests first (three dot-separated parts
 * look like a JWT); returns the storage key of the first that accepts it.
 */
export async function validate(
  token: string,
  strategies: { opaque: AccessTokenStrategy; jwt: AccessTokenStrategy },
): Promise<string | null> {
  const order = looksLikeJwt(token)
    ? [strategies.jwt, strategies.opaque]
    : [strategies.opaque, strategies.jwt];
  for (const strategy of order) {
    const signature = await strategy.validate(token);
    if (signature !== null) return signature;
  }
  return null;
}

function looksLikeJwt(token: string): boolean {
  return !token.startsWith('ory_at_') && token.split('.').length === 3;
}

/** Go's `time.Unix()`: whole seconds, rounded down. */
function unixSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}
