// JWTs that clients sign and present: client assertions (private_key_jwt, RFC 7523 §2.2) and jwt-bearer grant
// assertions (RFC 7523 §2.1). Decoding and the signature check only; each caller checks the claims with the
// messages Hydra gives for its flow.
import type { KeyObject } from 'node:crypto';
import { importJwk, type Jwk, type JwsAlgorithm } from '../keys/jwk.js';
import { endpointUrl } from '../urls.js';
import { dedupe } from './form.js';
import { decodeB64Url, isJws, jwsVerify, parseJson } from './token-strategies.js';

/** Longer assertions are refused unread (a JWT with an RSA-4096 signature and generous claims is ~2 KB). */
export const MAX_ASSERTION_LENGTH = 16 * 1024;

export interface DecodedJwt {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  /** `<header>.<payload>`, the bytes the signature covers (RFC 7515 §5.2). */
  signingInput: string;
  signature: Buffer;
}

/** A compact JWS with JSON-object header and payload, or null. */
export function decodeCompactJwt(token: string): DecodedJwt | null {
  if (typeof token !== 'string' || token.length > MAX_ASSERTION_LENGTH) return null;
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  const [h, p, s] = parts as [string, string, string];
  const header = parseJson(h);
  const payload = parseJson(p);
  const signature = decodeB64Url(s);
  if (!header || !payload || !signature || signature.length === 0) return null;
  return { header, payload, signingInput: `${h}.${p}`, signature };
}

/** The header's `alg` when it is an asymmetric JWS algorithm this server verifies (never `none` or HS*). */
export function assertionAlgorithm(decoded: DecodedJwt): JwsAlgorithm | null {
  const { alg } = decoded.header;
  return isJws(alg) ? alg : null;
}

// The key type (and curve) each algorithm needs: a key is never used with another algorithm than its own
// (RFC 8725 §3.1, algorithm substitution).
const CURVES: Partial<Record<JwsAlgorithm, string>> = {
  ES256: 'prime256v1',
  ES384: 'secp384r1',
  ES512: 'secp521r1',
};

function fits(alg: JwsAlgorithm, key: KeyObject): boolean {
  const type = key.asymmetricKeyType;
  if (alg.startsWith('RS') || alg.startsWith('PS')) return type === 'rsa' || type === 'rsa-pss';
  if (alg.startsWith('ES')) return type === 'ec' && key.asymmetricKeyDetails?.namedCurve === CURVES[alg];
  return type === 'ed25519' || type === 'ed448';
}

// A client's keys are the same objects from one request to the next (the client and jwks_uri caches hand them
// out), so each is imported once, not per assertion; a key object that goes away takes its entry with it.
const imported = new WeakMap<Jwk, KeyObject | null>();

function publicKeyOf(jwk: Jwk): KeyObject | null {
  let key = imported.get(jwk);
  if (key === undefined) {
    try {
      key = importJwk(jwk).publicKey ?? null;
    } catch {
      key = null;
    }
    imported.set(jwk, key);
  }
  return key;
}

/**
 * Whether `decoded` is signed by the public key of `jwk` with the header's algorithm. A JWK that names an `alg`
 * must name the header's; malformed key material verifies nothing.
 */
export async function verifyJwtSignature(decoded: DecodedJwt, jwk: Jwk): Promise<boolean> {
  const alg = assertionAlgorithm(decoded);
  if (!alg || (jwk.alg !== undefined && jwk.alg !== alg)) return false;
  const key = publicKeyOf(jwk);
  if (!key || !fits(alg, key)) return false;
  return jwsVerify(alg, key, decoded.signingInput, decoded.signature);
}

/**
 * The `aud` values a client-signed assertion may name, for client assertions and jwt-bearer grants alike:
 * Hydra's token URL, `<public>/oauth2/token`; Tollgate also takes the issuer URL, with or without its trailing
 * slash (RFC 7523 §3 item 3 allows either).
 */
export function assertionAudiences(publicUrl: string, issuer: string): string[] {
  const bare = issuer.replace(/\/+$/, '');
  return dedupe([endpointUrl(publicUrl, 'oauth2/token'), issuer, bare, `${bare}/`]);
}
