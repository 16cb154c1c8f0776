// Stateless JWT access tokens (opt-in): no row per token. The signed JWT carries everything introspection needs;
// what it cannot carry is revocation, which lives in two small tables behind `StatelessRevocations`:
// - a per-client not-before: `DELETE /admin/oauth2/tokens?client_id=` sets it to now, so every earlier token
//   of the client is revoked in O(1) whatever their number. Token `iat` has whole seconds, so a token issued in
//   the same second as the revocation, just after it, is revoked too (the safe side);
// - a denylist of single revoked tokens (RFC 7009 on a stateless JWT), each kept until the token expires.
//
// - the client it belongs to: a client deleted takes its revocations with it, and a new client may take the
//   same id. The token carries its client's creation time (to the millisecond, a JWS header parameter), and is
//   active only for the client created at that instant, so no token of an earlier client of that id revives.
//
// Chosen per server (`strategies.access_token=jwt` + `strategies.jwt.stateless=true`) or per client in its
// metadata: `{"tollgate": {"stateless": true}}` (or `false` to keep a client's JWTs durable on a stateless server).
// Only JWT tokens can be stateless: an opaque token carries nothing to introspect.
import type { StoredClient } from '../clients/client.js';
import type { AccessTokenRecord } from './ports.js';

/** The JWS header parameter that marks a stateless token; a durable token's row is authoritative instead. */
export const STATELESS_HEADER = 'tollgate';
export const STATELESS_MARK = 'stateless';
/** The JWS header parameter holding the issuing client's `created_at`, in milliseconds since the epoch. */
export const CLIENT_CREATED_HEADER = 'tollgate_client_created';

/** A stateless token's claims, and the creation time of the client that issued it when the token says. */
export interface StatelessRecord extends AccessTokenRecord {
  client_created_at?: Date;
}

export interface StatelessRevocations {
  /** Revoked by the client's not-before or the denylist. */
  isRevoked(token: { signature: string; client_id: string; requested_at: Date }): Promise<boolean>;
  /** Every token of the client issued up to `at` becomes inactive. Unknown clients have nothing to revoke. */
  revokeAllOf(clientId: string, at: Date): Promise<void>;
  /** One token, denied until it expires. */
  revokeOne(token: { signature: string; client_id: string; expires_at: Date }): Promise<void>;
}

/** The client's choice in its metadata, else the server's. */
export function statelessFor(client: StoredClient, serverDefault: boolean): boolean {
  const metadata = client.document.metadata as { tollgate?: { stateless?: unknown } } | undefined | null;
  const chosen = metadata?.tollgate?.stateless;
  return typeof chosen === 'boolean' ? chosen : serverDefault;
}

/** `statelessFor` with the server's default (`strategies.jwt.stateless`) bound, as the grants call it. */
export function statelessPolicy(serverDefault: boolean): (client: StoredClient) => boolean {
  return (client) => statelessFor(client, serverDefault);
}

/**
 * Whether a stateless token was issued by this client rather than by an earlier, deleted client of the same id.
 * A token without the creation time (minted before it was added) has only `iat`, in whole seconds: it counts
 * as this client's unless it was issued in an earlier second than the client was created.
 */
export function issuedBy(token: StatelessRecord, client: { created_at: Date }): boolean {
  const created = client.created_at.getTime();
  if (token.client_created_at) return token.client_created_at.getTime() === created;
  return token.requested_at.getTime() >= Math.floor(created / 1000) * 1000;
}

/** The claims of a verified stateless JWT as the record introspection reads; null for any other token. */
export function statelessRecord(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  signature: string,
): StatelessRecord | null {
  if (header[STATELESS_HEADER] !== STATELESS_MARK) return null;
  const clientCreated = header[CLIENT_CREATED_HEADER];
  const { jti, client_id, sub, iat, exp, aud, scp, scope, ext } = payload;
  if (typeof client_id !== 'string' || typeof sub !== 'string') return null;
  if (typeof iat !== 'number' || typeof exp !== 'number') return null;
  const strings = (v: unknown) =>
    Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  const scopes = Array.isArray(scp)
    ? strings(scp)
    : typeof scope === 'string' && scope
      ? scope.split(' ')
      : [];
  return {
    signature,
    request_id: typeof jti === 'string' ? jti : '',
    client_id,
    subject: sub,
    granted_scope: scopes,
    granted_audience: typeof aud === 'string' ? [aud] : strings(aud),
    requested_at: new Date(iat * 1000),
    expires_at: new Date(exp * 1000),
    // A token hook's claims (oauth2/token-hooks.ts): the token is the only place they are kept.
    ...(typeof ext === 'object' && ext !== null && !Array.isArray(ext) && Object.keys(ext).length > 0
      ? { ext: ext as Record<string, unknown> }
      : {}),
    ...(Number.isSafeInteger(clientCreated) ? { client_created_at: new Date(clientCreated as number) } : {}),
  };
}
