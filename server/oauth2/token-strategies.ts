// The two access-token formats (fosite's strategy split): Hydra's opaque HMAC token and an RFC 9068 JWT.
// Both only mint and check integrity; storage, expiry and revocation are the AccessTokenStore's business.
import { constants, createHmac, hash, type KeyObject, sign, timingSafeEqual, verify } from 'node:crypto';
import { Lru } from '../cache/lru.js';
import { randomBytesPooled, uuidv4 } from '../crypto/random.js';
import type { SystemSecrets } from '../crypto/secrets.js';
import type { JwsAlgorithm } from '../keys/jwk.js';
import { ACCESS_TOKEN_KEY_SET, type KeyManager } from '../keys/key-manager.js';
import type { AccessTokenClaims, AccessTokenStrategy } from './ports.js';
import {
  CLIENT_CREATED_HEADER,
  STATELESS_HEADER,
  STATELESS_MARK,
  type StatelessRecord,
  statelessRecord,
} from './stateless.js';

/**
 * fosite's HMAC strategy marks each kind of token with a prefix (`fosite/handler/oauth2/strategy_hmacsha.go`):
 * access tokens, refresh tokens and authorization codes share the HMAC and the secret, and only the prefix (and
 * the table a token's signature is looked up in) tells them apart.
 */
export const TOKEN_PREFIXES = {
  access_token: 'ory_at_',
  refresh_token: 'ory_rt_',
  authorize_code: 'ory_ac_',
  device_code: 'ory_dc_',
} as const;
export type OpaqueTokenPrefix = (typeof TOKEN_PREFIXES)[keyof typeof TOKEN_PREFIXES];
const KNOWN_PREFIXES: readonly string[] = Object.values(TOKEN_PREFIXES);
const ACCESS_TOKEN_PREFIX = TOKEN_PREFIXES.access_token;
// fosite's GetTokenEntropy default.
const TOKEN_ENTROPY_BYTES = 32;
// Far beyond any token we mint; bounds the work garbage input can cause.
const MAX_TOKEN_LENGTH = 16 * 1024;

/** Hydra's storage key for a token: hex(SHA-384(signature part as sent)), 96 lowercase hex chars (`x/sighash.go`). */
export function signatureKey(signaturePart: string): string {
  // One-shot digest: cheaper than a Hash object per call (docs/performance.md); runs on every token.
  return hash('sha384', signaturePart, 'hex');
}

/**
 * base64url without padding, and only the canonical encoding: Node (like Go's non-strict decoder) ignores
 * trailing bits, so without this a token with a changed last character could still verify.
 */
export function decodeB64Url(part: string): Buffer | null {
  if (part.length === 0 || !/^[A-Za-z0-9_-]+$/.test(part)) return null;
  const bytes = Buffer.from(part, 'base64url');
  return bytes.toString('base64url') === part ? bytes : null;
}

export const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

/** How many verified tokens a strategy remembers, and for how long (see `validate` of each). */
export interface VerifiedTokenOptions {
  /** Most tokens remembered as verified; 0 remembers none. Default 10,000. */
  verifiedMax?: number;
  /** How long (ms) a verification is remembered; default 10 min. */
  verifiedTtlMs?: number;
}

function verifiedTokens<V>(options: VerifiedTokenOptions): Lru<string, V> | null {
  const max = options.verifiedMax ?? 10_000;
  return max > 0 ? new Lru({ max, ttlMs: options.verifiedTtlMs ?? 600_000 }) : null;
}

export interface OpaqueTokenStrategyOptions extends VerifiedTokenOptions {
  /** Source of the token key bytes; tests inject fixed bytes to check Hydra's test vector. */
  random?: (size: number) => Buffer;
  /** Which kind of token this mints and accepts; `ory_at_` (access tokens) unless set. */
  prefix?: OpaqueTokenPrefix;
}

/** Minting and checking one kind of opaque token (refresh tokens, authorization codes). */
export interface OpaqueTokens {
  mint(): { token: string; signature: string };
  /** The storage key, or null when the HMAC fails or the token carries another kind's prefix. */
  validate(token: string): Promise<string | null>;
}

/**
 * Hydra's opaque token: prefix + b64url(32 random bytes) + `.` + b64url(HMAC-SHA-512/256(SHA-256(secret), key
 * bytes)) (`fosite/token/hmac/hmacsha.go`). Nothing about the grant is inside the token.
 */
export class OpaqueTokenStrategy implements AccessTokenStrategy, OpaqueTokens {
  readonly name = 'opaque';
  readonly prefix: OpaqueTokenPrefix;
  private readonly random: (size: number) => Buffer;
  private readonly verified: Lru<string, string> | null;

  constructor(
    private readonly secrets: SystemSecrets,
    options: OpaqueTokenStrategyOptions = {},
  ) {
    this.random = options.random ?? randomBytesPooled;
    this.prefix = options.prefix ?? ACCESS_TOKEN_PREFIX;
    this.verified = verifiedTokens(options);
  }

  async issue(_claims: AccessTokenClaims): Promise<{ token: string; signature: string }> {
    return this.mint();
  }

  /** A new token and its storage key; it needs no claims, as none go into it. */
  mint(): { token: string; signature: string } {
    const key = this.random(TOKEN_ENTROPY_BYTES);
    const sig = b64url(this.hmac(this.secrets.current, key));
    return { token: `${this.prefix}${b64url(key)}.${sig}`, signature: signatureKey(sig) };
  }

  /**
   * Like Hydra, a token without any prefix validates too; every system secret is tried (rotation). A token with
   * another kind's prefix never does, so a refresh token or a code is not taken for an access token even before
   * its signature is looked up in the wrong table.
   * A resource server introspects the same token on every call it serves, so tokens that verified are remembered
   * (exact string → storage key): a repeat skips the decoding and both digests. The secrets are fixed for the
   * life of the process, so a remembered answer cannot go stale, and a token held here is no more than what the
   * secrets in the same memory could mint. Failures are not remembered.
   */
  async validate(token: string): Promise<string | null> {
    if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) return null;
    const known = this.verified?.get(token);
    if (known !== undefined) return known;
    const signature = this.verify(token);
    if (signature !== null) this.verified?.set(token, signature);
    return signature;
  }

  private verify(token: string): string | null {
    const raw = token.startsWith(this.prefix) ? token.slice(this.prefix.length) : token;
    if (raw === token && KNOWN_PREFIXES.some((prefix) => token.startsWith(prefix))) return null;
    const parts = raw.split('.');
    if (parts.length !== 2) return null;
    const key = decodeB64Url(parts[0]!);
    const sig = decodeB64Url(parts[1]!);
    if (!key || !sig) return null;
    for (const secret of this.secrets.all) {
      const expected = this.hmac(secret, key);
      if (expected.length === sig.length && timingSafeEqual(expected, sig)) return signatureKey(parts[1]!);
    }
    return null;
  }

  private hmac(secret: Buffer, key: Buffer): Buffer {
    return createHmac('sha512-256', secret).update(key).digest();
  }
}

// How node's sign/verify realise each JWS algorithm (RFC 7518 §3): digest, RSA padding, ECDSA signature encoding.
const JWS_PARAMS: Record<JwsAlgorithm, { digest: string | null; pss?: boolean; ecdsa?: boolean }> = {
  RS256: { digest: 'sha256' },
  RS384: { digest: 'sha384' },
  RS512: { digest: 'sha512' },
  PS256: { digest: 'sha256', pss: true },
  PS384: { digest: 'sha384', pss: true },
  PS512: { digest: 'sha512', pss: true },
  // JWS wants the raw r||s form, not DER (RFC 7518 §3.4).
  ES256: { digest: 'sha256', ecdsa: true },
  ES384: { digest: 'sha384', ecdsa: true },
  ES512: { digest: 'sha512', ecdsa: true },
  EdDSA: { digest: null },
};

function keyInput(alg: JwsAlgorithm, key: KeyObject) {
  const p = JWS_PARAMS[alg];
  if (p.pss)
    return { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST };
  if (p.ecdsa) return { key, dsaEncoding: 'ieee-p1363' as const };
  return { key };
}

// Signatures are made and checked in libuv's thread pool, off the event loop: even an ES256 signature is a
// sizeable share of a token request's CPU, which the event loop can spend on the next request while another
// core signs (docs/performance.md).
function jwsSign(alg: JwsAlgorithm, key: KeyObject, input: string): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    sign(JWS_PARAMS[alg].digest, Buffer.from(input), keyInput(alg, key), (err, sig) =>
      err ? reject(err) : resolve(sig),
    ),
  );
}

/** A JWS compact serialization (RFC 7515 §7.1) of a JSON header and payload, and its signature part. */
export async function signCompactJws(
  alg: JwsAlgorithm,
  key: KeyObject,
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
): Promise<{ token: string; signature: string }> {
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  const signature = b64url(await jwsSign(alg, key, input));
  return { token: `${input}.${signature}`, signature };
}

export function jwsVerify(alg: JwsAlgorithm, key: KeyObject, input: string, sig: Buffer): Promise<boolean> {
  return new Promise((resolve) =>
    verify(JWS_PARAMS[alg].digest, Buffer.from(input), keyInput(alg, key), sig, (err, ok) =>
      resolve(!err && ok),
    ),
  );
}

export const isJws = (alg: unknown): alg is JwsAlgorithm =>
  typeof alg === 'string' && Object.hasOwn(JWS_PARAMS, alg);

export function parseJson(part: string): Record<string, unknown> | null {
  const bytes = decodeB64Url(part);
  if (!bytes) return null;
  try {
    const value: unknown = JSON.parse(bytes.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/**
 * Hydra issues a registration access token with every created client (RFC 7591 §3.2.1), an opaque `ory_at_`
 * token; the client keeps only its storage key, which RFC 7592 management checks (clients/registration.ts).
 */
export function registrationTokenIssuer(
  strategy: Pick<OpaqueTokenStrategy, 'mint'>,
): () => { token: string; signature: string } {
  return () => strategy.mint();
}

export interface JwtTokenStrategyOptions extends VerifiedTokenOptions {
  /** Hydra's `strategies.jwt.scope_claim`: `scp` array, `scope` string, or both. */
  scopeClaim: 'list' | 'string' | 'both';
  /** Key set that signs access tokens; Hydra's is fixed. */
  setId?: string;
}

/** A signature that verified, and with which loaded key. */
interface VerifiedJwt {
  signature: string;
  kid: string | undefined;
  key: KeyObject;
}

/**
 * RFC 9068 JWT access tokens signed with the newest key of `hydra.jwt.access-token`. Claims follow Hydra
 * (docs/hydra-compatibility.md#jwt-access-tokens); the header says `typ: at+jwt` as RFC 9068 §2.1 requires,
 * where Hydra sends `JWT`.
 */
export class JwtTokenStrategy implements AccessTokenStrategy {
  readonly name = 'jwt';
  private readonly setId: string;
  private readonly verified: Lru<string, VerifiedJwt> | null;

  constructor(
    private readonly keys: KeyManager,
    private readonly options: JwtTokenStrategyOptions,
  ) {
    this.setId = options.setId ?? ACCESS_TOKEN_KEY_SET;
    this.verified = verifiedTokens(options);
  }

  async issue(claims: AccessTokenClaims): Promise<{ token: string; signature: string }> {
    const { kid, alg, key } = await this.keys.getOrCreateSigningKey(this.setId);
    const iat = Math.floor(claims.issued_at.getTime() / 1000);
    const payload: Record<string, unknown> = {
      iss: claims.issuer,
      sub: claims.subject,
      aud: [...claims.audience],
      exp: Math.floor(claims.expires_at.getTime() / 1000),
      iat,
      nbf: iat,
      jti: claims.jti ?? (claims.request_id || uuidv4()),
      client_id: claims.client_id,
    };
    if (this.options.scopeClaim !== 'string') payload.scp = [...claims.scope];
    if (this.options.scopeClaim !== 'list') payload.scope = claims.scope.join(' ');
    // The consent's `session.access_token` (Hydra's session extra); client_credentials tokens have none.
    payload.ext = { ...(claims.ext ?? {}) };
    for (const [name, value] of Object.entries(claims.top_level ?? {})) {
      if (!Object.hasOwn(payload, name)) payload[name] = value;
    }
    const header = {
      alg,
      kid,
      typ: 'at+jwt',
      ...(claims.stateless ? { [STATELESS_HEADER]: STATELESS_MARK } : {}),
      ...(claims.stateless && claims.client_created_at
        ? { [CLIENT_CREATED_HEADER]: claims.client_created_at.getTime() }
        : {}),
    };
    const { token, signature } = await signCompactJws(alg, key, header, payload);
    return { token, signature: signatureKey(signature) };
  }

  /** For a token `validate` accepted: its claims when it is a stateless token, else null. */
  statelessRecord(token: string, signature: string): StatelessRecord | null {
    const parts = token.split('.');
    if (parts.length !== 3) return null;
    const header = parseJson(parts[0]!);
    const payload = parseJson(parts[1]!);
    return header && payload ? statelessRecord(header, payload, signature) : null;
  }

  /**
   * Checks structure, header and signature only (expiry is the caller's, as Hydra checks it from the stored
   * session). `typ: JWT` is accepted too, for tokens Hydra issued before a migration. Key-store failures
   * propagate; malformed input gives null.
   */
  async validate(token: string): Promise<string | null> {
    if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) return null;
    // A token verified before is accepted again only while the very key object that verified it is still among
    // the set's verification keys: a deleted key, or any reload of the set (a write here, the cache TTL for
    // writes on other replicas), gives new objects and so a full verification, exactly as without this memo.
    // It saves the signature check, introspection's costliest step, when a resource server introspects per call.
    const known = this.verified?.get(token);
    if (known) {
      const keys = await this.keys.verificationKeys(this.setId, known.kid);
      if (keys.some((k) => k.key === known.key)) return known.signature;
      this.verified?.delete(token);
    }
    const verified = await this.verify(token);
    if (!verified) return null;
    this.verified?.set(token, verified);
    return verified.signature;
  }

  private async verify(token: string): Promise<VerifiedJwt | null> {
    const parts = token.split('.');
    if (parts.length !== 3) return null;
    const [h, p, s] = parts as [string, string, string];
    const header = parseJson(h);
    const sig = decodeB64Url(s);
    if (!header || !sig || !parseJson(p)) return null;
    const { alg, kid, typ } = header;
    if (typ !== 'at+jwt' && typ !== 'JWT') return null;
    if (!isJws(alg) || (kid !== undefined && typeof kid !== 'string')) return null;
    const candidates = await this.keys.verificationKeys(this.setId, kid);
    const input = `${h}.${p}`;
    for (const k of candidates) {
      // The key's own alg must match the header (RFC 8725 §3.1: no algorithm substitution).
      if (
        (kid === undefined || k.kid === kid) &&
        k.alg === alg &&
        (await jwsVerify(alg, k.key, input, sig))
      ) {
        return { signature: signatureKey(s), kid, key: k.key };
      }
    }
    return null;
  }
}
