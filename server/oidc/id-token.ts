// OpenID Connect ID tokens as Hydra mints them (`oauth2/handler.go` updateSessionWithRequest,
// fosite's `IDTokenClaims.ToMap`): signed with the newest key of `hydra.openid.id-token`, claims from the flow.
// Also the id_token_hint check of the login step and the claims the userinfo endpoint answers with.
import { hash } from 'node:crypto';
import { uuidv4 } from '../crypto/random.js';
import type { FlowRecord, IdTokens } from '../flows/types.js';
import { ID_TOKEN_KEY_SET, type KeyManager } from '../keys/key-manager.js';
import {
  b64url,
  decodeB64Url,
  isJws,
  jwsVerify,
  parseJson,
  signCompactJws,
} from '../oauth2/token-strategies.js';

export interface IdTokenDeps {
  keys: Pick<KeyManager, 'getOrCreateSigningKey' | 'verificationKeys'>;
  /** `urls.self.issuer` as configured: `iss` must equal discovery's `issuer` byte for byte (OIDC Core §3.1.3.7). */
  issuer: string;
  clock?: () => Date;
}

/** IdTokens, plus signing arbitrary claims with the same key (a userinfo response as a JWT). */
export interface IdTokenSigner extends IdTokens {
  signClaims(claims: Record<string, unknown>): Promise<string>;
}

/**
 * Claims the server sets itself; a consent's `session.id_token` cannot override or fake them. fosite's ToMap
 * overwrites or deletes each of these, and Hydra writes `sid` over any extra of that name.
 */
const RESERVED = new Set([
  'iss',
  'sub',
  'aud',
  'exp',
  'iat',
  'rat',
  'auth_time',
  'nonce',
  'at_hash',
  'c_hash',
  'acr',
  'amr',
  'jti',
  'sid',
]);

/** JWT NumericDate: whole seconds. */
export const unix = (date: Date) => Math.floor(date.getTime() / 1000);

/**
 * OIDC Core §3.1.3.6 / §3.3.2.11: the left-most half of the token's hash, base64url-encoded. The hash is
 * the one of the signing algorithm: SHA-256 for RS256 (Hydra's key), SHA-384/512 for the *384/*512 algorithms
 * and SHA-512 for EdDSA (Ed25519 hashes with SHA-512).
 */
export function tokenHash(token: string, alg = 'RS256'): string {
  const bits = alg === 'EdDSA' || alg.endsWith('512') ? 'sha512' : alg.endsWith('384') ? 'sha384' : 'sha256';
  const digest = hash(bits, token, 'buffer');
  return b64url(digest.subarray(0, digest.length / 2));
}

/** Go marshals a map with its keys sorted; Hydra's ID token and userinfo claims are maps. */
export function sorted(claims: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(claims).sort()) out[key] = claims[key];
  return out;
}

export function createIdTokens(deps: IdTokenDeps): IdTokenSigner {
  const clock = deps.clock ?? (() => new Date());

  /** The claims every ID token of the flow shares, and its userinfo: the flow's, then the consent's extras. */
  function flowClaims(
    flow: FlowRecord,
    clientId: string,
    extras: Record<string, unknown> = flow.consent?.session.id_token ?? {},
    subject: string = flow.subject,
  ): Record<string, unknown> {
    const claims: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(extras)) {
      if (!RESERVED.has(name)) claims[name] = value;
    }
    claims.iss = deps.issuer;
    claims.sub = subject;
    claims.aud = [clientId];
    claims.rat = unix(flow.requested_at);
    if (flow.authenticated_at) claims.auth_time = unix(flow.authenticated_at);
    if (flow.login?.acr) claims.acr = flow.login.acr;
    if (flow.login?.amr.length) claims.amr = [...flow.login.amr];
    return claims;
  }

  const signingKey = () => deps.keys.getOrCreateSigningKey(ID_TOKEN_KEY_SET, 'RS256');

  async function signWith(
    { kid, alg, key }: Awaited<ReturnType<typeof signingKey>>,
    claims: Record<string, unknown>,
  ): Promise<string> {
    return (await signCompactJws(alg, key, { alg, kid, typ: 'JWT' }, claims)).token;
  }

  return {
    signClaims: async (claims) => signWith(await signingKey(), claims),

    async sign({ flow, client_id, now, lifespanMs, access_token, code, refresh, extras, subject }) {
      // The key first: at_hash and c_hash use the hash of the algorithm that signs (OIDC Core §3.3.2.11).
      const key = await signingKey();
      const claims = flowClaims(flow, client_id, extras, subject);
      // fosite (handler/openid/strategy_jwt.go): acr_values requested and no acr from the login is level 0,
      // the least confidence; not on a refresh, whose ID token fosite mints without these checks.
      if (!refresh && claims.acr === undefined && flow.request.oidc_context.acr_values.length > 0) {
        claims.acr = '0';
      }
      claims.iat = unix(now);
      claims.exp = unix(new Date(now.getTime() + lifespanMs));
      claims.jti = uuidv4();
      claims.sid = flow.login_session_id;
      if (flow.request.nonce) claims.nonce = flow.request.nonce;
      if (access_token) claims.at_hash = tokenHash(access_token, key.alg);
      if (code) claims.c_hash = tokenHash(code, key.alg);
      return signWith(key, sorted(claims));
    },

    async verifyHint(token) {
      const parts = typeof token === 'string' ? token.split('.') : [];
      if (parts.length !== 3) return { ok: false, reason: 'The token is not a signed JWT.' };
      const [h, p, s] = parts as [string, string, string];
      const header = parseJson(h);
      const claims = parseJson(p);
      const signature = decodeB64Url(s);
      if (!header || !claims || !signature) return { ok: false, reason: 'The token is malformed.' };
      const { alg, kid } = header;
      if (!isJws(alg) || (kid !== undefined && typeof kid !== 'string')) {
        return { ok: false, reason: 'The token is signed with an unsupported algorithm.' };
      }
      let verified = false;
      for (const k of await deps.keys.verificationKeys(ID_TOKEN_KEY_SET, kid)) {
        // The key's own algorithm must be the header's (RFC 8725 §3.1).
        if (
          (kid === undefined || k.kid === kid) &&
          k.alg === alg &&
          (await jwsVerify(alg, k.key, `${h}.${p}`, signature))
        ) {
          verified = true;
          break;
        }
      }
      if (!verified) return { ok: false, reason: 'The token was not signed by this server.' };
      if (claims.iss !== deps.issuer) {
        return {
          ok: false,
          reason: `The token was issued by '${String(claims.iss)}', not by '${deps.issuer}'.`,
        };
      }
      // Expiry is deliberately not checked (a hint may be old; fosite and Hydra accept expired hints), but a
      // token that claims to come from the future is refused, as Go's JWT validation does.
      const now = unix(clock());
      if (typeof claims.iat === 'number' && claims.iat > now)
        return { ok: false, reason: 'Token used before issued' };
      if (typeof claims.nbf === 'number' && claims.nbf > now)
        return { ok: false, reason: 'Token is not valid yet' };
      return { ok: true, claims };
    },

    // Hydra's getOidcUserInfo: the ID token's claims without nonce, at_hash, c_hash, exp, sid and jti.
    userinfoClaims(flow, client_id, issued_at, subject, extras) {
      const claims = flowClaims(flow, client_id, extras, subject);
      claims.iat = unix(issued_at);
      return sorted(claims);
    },
  };
}
