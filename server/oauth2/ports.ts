// Storage port for issued access tokens (opaque and JWT both get a row, as in Hydra), keyed by a hash of the
// token's signature part; the token itself is never stored.

export interface AccessTokenRecord {
  /** hex(SHA-384(signature part)), as Hydra's `hydra_oauth2_access.signature`. */
  signature: string;
  /** Groups tokens of one grant; revocation deletes by request id (fosite). */
  request_id: string;
  client_id: string;
  subject: string;
  granted_scope: string[];
  granted_audience: string[];
  requested_at: Date;
  expires_at: Date;
  /** The consent's `session.access_token` (introspection's `ext`); absent for client_credentials. */
  ext?: Record<string, unknown> | null;
}

/** An authorization code (`ory_ac_`), stored like an access token: only the hash of its signature. */
export interface AuthorizationCodeRecord {
  signature: string;
  /** The flow id. */
  request_id: string;
  client_id: string;
  requested_at: Date;
  /** requested_at + ttl.auth_code. */
  expires_at: Date;
  used_at: Date | null;
}

/** A refresh token (`ory_rt_`). */
export interface RefreshTokenRecord {
  signature: string;
  request_id: string;
  client_id: string;
  subject: string;
  granted_scope: string[];
  granted_audience: string[];
  active: boolean;
  requested_at: Date;
  /** Null: ttl.refresh_token -1, never expires. */
  expires_at: Date | null;
  first_used_at: Date | null;
  used_times: number;
  /** The access token issued with it: graceful rotation deletes only that one. */
  access_token_signature: string;
  ext?: Record<string, unknown> | null;
}

export interface AccessTokenStore {
  insert(token: AccessTokenRecord): Promise<void>;
  get(signature: string): Promise<AccessTokenRecord | null>;
  /** RFC 7009: removes every token of the request the given token belongs to. */
  deleteByRequestId(requestId: string): Promise<void>;
  /** Hydra's `DELETE /admin/oauth2/tokens?client_id=`. */
  deleteByClientId(clientId: string): Promise<void>;
}

/** What an access token asserts; the same for both strategies. */
export interface AccessTokenClaims {
  request_id: string;
  issuer: string;
  client_id: string;
  subject: string;
  scope: string[];
  audience: string[];
  issued_at: Date;
  expires_at: Date;
  /** A stateless JWT: marked as such, and no row is stored for it (oauth2/stateless.ts). */
  stateless?: boolean;
  /** The issuing client's `created_at`, which a stateless token carries (oauth2/stateless.ts). */
  client_created_at?: Date;
  /** The consent's `session.access_token`: a JWT's `ext` claim. */
  ext?: Record<string, unknown>;
  /**
   * A JWT's `jti`, unique per token (RFC 7519 §4.1.7): the tokens of a flow share their request id, and two
   * minted in the same second (a retried refresh) would otherwise be the same JWT. Defaults to the request id.
   */
  jti?: string;
  /** Claims a JWT carries at its top level (`oauth2.allowed_top_level_claims`); never replaces a standard one. */
  top_level?: Record<string, unknown>;
}

/** `strategies.access_token` and a client's `access_token_strategy` (Hydra's two token formats). */
export type AccessTokenStrategyName = 'opaque' | 'jwt';

/**
 * How an access token looks (fosite's strategy split): `opaque` is Hydra's `ory_at_` HMAC format, `jwt` is an
 * RFC 9068 JWT. Where it is stored is the AccessTokenStore's business.
 */
export interface AccessTokenStrategy {
  readonly name: AccessTokenStrategyName;
  /** Mints a token; `signature` is the storage key (hex SHA-384 of the token's signature part). */
  issue(claims: AccessTokenClaims): Promise<{ token: string; signature: string }>;
  /** Checks the token's integrity (HMAC or JWS, every configured system secret / key); the storage key or null. */
  validate(token: string): Promise<string | null>;
}

/**
 * JWT ids of accepted assertions (client assertions, RFC 7523 §2.2; jwt-bearer grants, §2.1): RFC 7523 §3 item 7
 * lets the server refuse a replayed jti, which Hydra does until the assertion expires.
 */
export interface JtiStore {
  /** True when `jti` is recorded now; false when it is already recorded and has not expired. */
  claim(jti: string, expiresAt: Date): Promise<boolean>;
}
