// JSON Web Keys (RFC 7517) as the admin API and jwks.json carry them: parsing and validating a key from a
// request body, go-jose's member order (so responses compare equal with Hydra's), public parts, and import into
// node KeyObjects.
import { createPrivateKey, createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { AUTH_TOKEN_SIGNING_ALGS } from '../../sdk/client-fields.js';
import type { components } from '../../sdk/generated/openapi.js';
import { isObject } from '../json.js';
import { BadRequestError } from '../oauth2/errors.js';

/** JWS algorithms (RFC 7518 §3.1) a set's key may sign tokens with: those of client assertions, and EdDSA. */
export const JWS_ALGORITHMS = [...AUTH_TOKEN_SIGNING_ALGS, 'EdDSA'] as const;
export type JwsAlgorithm = (typeof JWS_ALGORITHMS)[number];
export const isJwsAlgorithm = (alg: string): alg is JwsAlgorithm =>
  (JWS_ALGORITHMS as readonly string[]).includes(alg);

/**
 * A JSON Web Key (RFC 7517), the contract's type. Members are emitted in go-jose's marshalling order so
 * responses compare equal with Hydra's.
 */
export type Jwk = components['schemas']['jsonWebKey'];

/** The contract's JSON Web Key Set; every set this server answers has its `keys`. */
export type JsonWebKeySet = Required<components['schemas']['jsonWebKeySet']>;

// go-jose's rawJSONWebKey field order (x5c follows). Other members are dropped: the contract has no others.
const JWK_MEMBERS = [
  'use',
  'kty',
  'kid',
  'crv',
  'alg',
  'k',
  'x',
  'y',
  'n',
  'e',
  'd',
  'p',
  'q',
  'dp',
  'dq',
  'qi',
] as const;
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'] as const;

// Which key type (and curve / minimum secret size) each accepted `alg` needs.
const ALG_KEY_TYPES: Record<string, { kty: string; crv?: readonly string[]; minBytes?: number }> = {
  RS256: { kty: 'RSA' },
  RS384: { kty: 'RSA' },
  RS512: { kty: 'RSA' },
  PS256: { kty: 'RSA' },
  PS384: { kty: 'RSA' },
  PS512: { kty: 'RSA' },
  'RSA-OAEP': { kty: 'RSA' },
  'RSA-OAEP-256': { kty: 'RSA' },
  ES256: { kty: 'EC', crv: ['P-256'] },
  ES384: { kty: 'EC', crv: ['P-384'] },
  ES512: { kty: 'EC', crv: ['P-521'] },
  EdDSA: { kty: 'OKP', crv: ['Ed25519', 'Ed448'] },
  // RFC 7518 §3.2: an HMAC key must be at least as long as the hash output.
  HS256: { kty: 'oct', minBytes: 32 },
  HS384: { kty: 'oct', minBytes: 48 },
  HS512: { kty: 'oct', minBytes: 64 },
};

const MIN_RSA_BITS = 2048;

// Hydra's jwk.ErrUnsupportedKeyAlgorithm: error = http.StatusText(400).
export const unsupportedAlgorithm = () => new BadRequestError('Unsupported key algorithm', 'Bad Request');

/** Copies the known members in go-jose's order and drops anything else, as a Hydra round trip would. */
export function orderJwk(input: Record<string, unknown>): Jwk {
  const out: Record<string, unknown> = {};
  for (const m of JWK_MEMBERS) if (typeof input[m] === 'string' && input[m] !== '') out[m] = input[m];
  if (Array.isArray(input.x5c) && input.x5c.every((c) => typeof c === 'string')) out.x5c = [...input.x5c];
  return out as unknown as Jwk;
}

export function publicJwk(jwk: Jwk): Jwk {
  const out: Jwk = { ...jwk };
  for (const m of PRIVATE_MEMBERS) delete out[m];
  return out;
}

/** Node KeyObjects of a JWK. */
export interface ImportedKey {
  privateKey?: KeyObject;
  publicKey?: KeyObject;
}

/** The key-material members only, as node's JWK importer takes them. */
function toNodeJwk(jwk: Jwk): JsonWebKey {
  const out: JsonWebKey = {};
  for (const m of JWK_MEMBERS) if (m !== 'use' && m !== 'kid' && jwk[m] !== undefined) out[m] = jwk[m];
  return out;
}

/** Node KeyObjects for a JWK; throws on malformed key material. Symmetric keys get none (never published). */
export function importJwk(jwk: Jwk): ImportedKey {
  if (jwk.kty === 'oct') return {};
  if (jwk.d !== undefined) {
    const privateKey = createPrivateKey({ key: toNodeJwk(jwk), format: 'jwk' });
    return { privateKey, publicKey: createPublicKey(privateKey) };
  }
  return { publicKey: createPublicKey({ key: toNodeJwk(jwk), format: 'jwk' }) };
}

/** Validates a JWK from an admin request body; BadRequestError (400) with the reason otherwise. */
export function parseJwk(input: unknown): Jwk {
  if (!isObject(input)) throw new BadRequestError('A JSON Web Key must be a JSON object.');
  for (const m of ['kid', 'kty', 'alg', 'use'] as const) {
    if (typeof input[m] !== 'string' || input[m] === '') {
      throw new BadRequestError(`The JSON Web Key is missing the required member '${m}'.`);
    }
  }
  const jwk = orderJwk(input);
  if (jwk.use !== 'sig' && jwk.use !== 'enc') {
    throw new BadRequestError(`JSON Web Key '${jwk.kid}': 'use' must be 'sig' or 'enc'.`);
  }
  const spec = ALG_KEY_TYPES[jwk.alg];
  if (!spec) throw unsupportedAlgorithm();
  if (jwk.kty !== spec.kty) {
    throw new BadRequestError(
      `JSON Web Key '${jwk.kid}': algorithm '${jwk.alg}' needs key type '${spec.kty}'.`,
    );
  }
  if (spec.crv && !spec.crv.includes(jwk.crv ?? '')) {
    throw new BadRequestError(
      `JSON Web Key '${jwk.kid}': algorithm '${jwk.alg}' needs curve ${spec.crv.join(' or ')}.`,
    );
  }
  if (jwk.kty === 'oct') {
    const k = jwk.k ?? '';
    const bytes = Buffer.from(k, 'base64url');
    if (!/^[A-Za-z0-9_-]+$/.test(k) || bytes.length < (spec.minBytes ?? 1)) {
      throw new BadRequestError(
        `JSON Web Key '${jwk.kid}': 'k' must be base64url of at least ${spec.minBytes ?? 1} bytes for ${jwk.alg}.`,
      );
    }
    return jwk;
  }
  let imported: ImportedKey;
  try {
    imported = importJwk(jwk);
  } catch (err) {
    throw new BadRequestError(
      `JSON Web Key '${jwk.kid}' could not be imported: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  const bits = imported.publicKey?.asymmetricKeyDetails?.modulusLength;
  if (jwk.kty === 'RSA' && (bits === undefined || bits < MIN_RSA_BITS)) {
    throw new BadRequestError(`JSON Web Key '${jwk.kid}': RSA keys must have at least ${MIN_RSA_BITS} bits.`);
  }
  return jwk;
}
