// POST /admin/oauth2/introspect (RFC 7662), as Hydra answers it (oauth2/handler.go introspectOAuth2Token,
// fosite/handler/oauth2/introspector.go). Every reason a token is not usable, and a `scope` parameter that
// was not granted, gives the same `{"active":false}` (RFC 7662 §2.2), so nothing about the token leaks.
// Failures of the store or key material are not "inactive": they propagate, so the caller answers 503.
//
// Access tokens and, with the browser flows, refresh tokens (`token_use: refresh_token`). As in fosite, access
// tokens are tried first and refresh tokens after, unless `token_type_hint=refresh_token` asks for the other
// order (RFC 7662 §2.1). Authorization codes are never active here.
import type { StoredClient } from '../clients/client.js';
import type { FlowStore, GrantStore } from '../flows/ports.js';
import type { FlowRecord } from '../flows/types.js';
import type { SubjectIdentifiers } from '../oidc/pairwise.js';
import { InvalidRequest } from './errors.js';
import { formValue, isEmptyForm, splitSpaceList } from './form.js';
import type { AccessTokenRecord, AccessTokenStore, AccessTokenStrategy } from './ports.js';
import type { ScopeStrategy } from './scope-strategy.js';
import { issuedBy, type StatelessRecord, type StatelessRevocations } from './stateless.js';
import type { OpaqueTokens } from './token-strategies.js';

/** The form parameters read; a repeated parameter counts with its first value (Go's `PostForm.Get`). */
export interface IntrospectionRequest {
  token?: string | string[];
  /** Optional space-separated scopes that must all have been granted. */
  scope?: string | string[];
  /** `refresh_token` looks among refresh tokens first; anything else among access tokens first. */
  token_type_hint?: string | string[];
}

/** Key order is Hydra's; `scope` is omitted when nothing was granted, `ext` when empty. */
export interface ActiveIntrospection {
  active: true;
  scope?: string;
  client_id: string;
  sub: string;
  /** The pairwise `sub` the client's ID tokens carry (Hydra), for a pairwise client's browser-flow token. */
  obfuscated_subject?: string;
  /** Absent for a refresh token that never expires. */
  exp?: number;
  iat: number;
  nbf: number;
  aud: string[];
  iss: string;
  token_type: 'Bearer';
  token_use: 'access_token' | 'refresh_token';
  /** The consent's `session.access_token`. */
  ext?: Record<string, unknown>;
}

export type IntrospectionResult = ActiveIntrospection | { active: false };

/** Where an access token is read: its strategies, its rows, its client, and stateless JWTs. */
export interface AccessTokenSources {
  strategies: { opaque: AccessTokenStrategy; jwt: AccessTokenStrategy };
  tokens: Pick<AccessTokenStore, 'get'>;
  clients: { get(id: string): Promise<StoredClient | null> };
  stateless?: StatelessTokens;
}

export interface IntrospectorDeps extends AccessTokenSources {
  scopeStrategy: ScopeStrategy;
  issuer: string;
  now?: () => Date;
  /** The browser flows' refresh tokens; without them only access tokens are looked up. */
  refresh?: RefreshTokenLookup;
  /** Pairwise subjects (oidc/pairwise.ts): `obfuscated_subject` for a pairwise client's tokens. */
  pairwise?: {
    subjects: Pick<SubjectIdentifiers, 'obfuscated'>;
    flows: Pick<FlowStore, 'byId'>;
  };
}

export interface RefreshTokenLookup {
  tokens: Pick<OpaqueTokens, 'validate'>;
  grants: Pick<GrantStore, 'refresh'>;
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

/** The stored refresh token a presented one names, when its HMAC holds (rotated ones included); else null. */
export async function findRefreshToken(lookup: RefreshTokenLookup, token: string) {
  const signature = await lookup.tokens.validate(token);
  return signature === null ? null : lookup.grants.refresh(signature);
}

/** Userinfo's test for a refresh token sent where an access token belongs (Hydra names it in its error). */
export async function isRefreshToken(lookup: RefreshTokenLookup, token: string): Promise<boolean> {
  return (await findRefreshToken(lookup, token)) !== null;
}

export function createIntrospector(deps: IntrospectorDeps): Introspector {
  const now = deps.now ?? (() => new Date());

  return {
    async introspect(request) {
      // fosite's NewIntrospectionRequest: the one case that is an error rather than an inactive token.
      if (isEmptyForm(request)) throw new InvalidRequest('The POST body can not be empty.');
      const token = formValue(request, 'token');
      if (token === '') return INACTIVE;
      const scope = splitSpaceList(formValue(request, 'scope'));

      if (!deps.refresh) return accessToken(token, scope);
      if (formValue(request, 'token_type_hint') === 'refresh_token') {
        const refreshed = await refreshToken(deps.refresh, token, scope);
        return refreshed.active ? refreshed : accessToken(token, scope);
      }
      const access = await accessToken(token, scope);
      // An `ory_at_` token or a JWT fails the refresh strategy's prefix check at once: no lookup.
      return access.active ? access : refreshToken(deps.refresh, token, scope);
    },
  };

  async function accessToken(token: string, scope: string[]): Promise<IntrospectionResult> {
    const found = await findAccessToken(deps, token);
    if (!found) return INACTIVE;
    const { record, client } = found;
    // fosite: expired once the expiry lies before now.
    if (record.expires_at.getTime() < now().getTime()) return INACTIVE;
    if (!grantsScopes(record.granted_scope, scope)) return INACTIVE;
    // Only a pairwise client's tokens need their flow (the login's forced identifier); others skip the read.
    const pairwise = deps.pairwise && client.document.subject_type === 'pairwise' ? deps.pairwise : null;
    const flow = pairwise ? await pairwise.flows.byId(record.request_id) : null;
    return active(record, 'access_token', record.ext, obfuscated(client, record.subject, flow));
  }

  function obfuscated(client: StoredClient, subject: string, flow: FlowRecord | null): string | null {
    if (!deps.pairwise || flow === null) return null;
    return deps.pairwise.subjects.obfuscated(
      { ...client.document, client_id: client.client_id },
      subject,
      flow,
    );
  }

  /** A rotated refresh token is inactive, even while graceful rotation still lets it be exchanged. */
  async function refreshToken(
    refresh: RefreshTokenLookup,
    token: string,
    scope: string[],
  ): Promise<IntrospectionResult> {
    const record = await findRefreshToken(refresh, token);
    if (!record?.active) return INACTIVE;
    if (record.expires_at !== null && record.expires_at.getTime() < now().getTime()) return INACTIVE;
    const client = await deps.clients.get(record.client_id);
    if (!client) return INACTIVE;
    if (!grantsScopes(record.granted_scope, scope)) return INACTIVE;
    return active(
      record,
      'refresh_token',
      record.ext ?? record.flow.consent?.session.access_token,
      obfuscated(client, record.subject, record.flow),
    );
  }

  /** fosite's matchScopes: each requested scope is checked against the GRANTED scopes, empty entries skipped. */
  function grantsScopes(granted: string[], wanted: string[]): boolean {
    return wanted.every((scope) => deps.scopeStrategy(granted, scope));
  }

  function active(
    record: {
      granted_scope: string[];
      client_id: string;
      subject: string;
      expires_at: Date | null;
      requested_at: Date;
      granted_audience: string[];
    },
    use: ActiveIntrospection['token_use'],
    ext: Record<string, unknown> | null | undefined,
    obfuscatedSubject: string | null = null,
  ): ActiveIntrospection {
    const issuedAt = unixSeconds(record.requested_at);
    return {
      active: true,
      ...(record.granted_scope.length > 0 ? { scope: record.granted_scope.join(' ') } : {}),
      client_id: record.client_id,
      sub: record.subject,
      ...(obfuscatedSubject !== null ? { obfuscated_subject: obfuscatedSubject } : {}),
      ...(record.expires_at !== null ? { exp: unixSeconds(record.expires_at) } : {}),
      iat: issuedAt,
      nbf: issuedAt,
      aud: [...record.granted_audience],
      iss: deps.issuer,
      token_type: 'Bearer',
      token_use: use,
      ...(ext && Object.keys(ext).length > 0 ? { ext: { ...ext } } : {}),
    };
  }
}

/**
 * An access token's record and client, the expiry not checked; null for a token that is not one of this
 * server's access tokens, is revoked, or whose client is gone.
 */
export async function findAccessToken(
  sources: AccessTokenSources,
  token: string,
): Promise<{ record: AccessTokenRecord; client: StoredClient } | null> {
  const signature = token === '' ? null : await validate(token, sources.strategies);
  if (signature === null) return null;
  // A stateless token carries its record; any other has a row, or is revoked or unknown.
  const stateless = sources.stateless?.record(token, signature) ?? null;
  const record = stateless ?? (await sources.tokens.get(signature));
  if (!record) return null;
  // Hydra reads the token together with its client; a deleted client's tokens are gone. A stateless token
  // has no row to go with it: it must have been issued by this client, not an earlier one of that id.
  const client = await sources.clients.get(record.client_id);
  if (!client) return null;
  if (stateless && !issuedBy(stateless, client)) return null;
  if (stateless && (await sources.stateless?.revocations.isRevoked(stateless))) return null;
  return { record, client };
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
