// Checks and comparisons for a trust relationship's values, shared by the provider (plan-time diagnostics) and
// the CDKTF construct (synth-time checks). No dependencies: the construct library imports this file as is.

/** Private and symmetric key members (RFC 7518 §6.2.2, §6.3.2, §6.4; RFC 8037 §2). */
export const PRIVATE_JWK_MEMBERS: readonly string[] = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

// The members that are the key itself (RFC 7638 §3.2 lists them per kty) plus its id.
const KEY_MATERIAL = ['kty', 'kid', 'crv', 'x', 'y', 'n', 'e'];

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/** What is wrong with a JWK given for a trust relationship, or undefined when it is a public key with a kid. */
export function publicJwkProblem(jwk: unknown): string | undefined {
  if (!isObject(jwk)) return 'must be one JSON Web Key as a JSON object (RFC 7517 §4)';
  if ('keys' in jwk) return 'is a key set; give one key of it (its entry in "keys")';
  if (typeof jwk.kty !== 'string' || jwk.kty === '') return 'has no "kty"';
  // Hydra refuses a key without kid ("Field 'jwk' must contain JWK with kid header."): assertions name it.
  if (typeof jwk.kid !== 'string' || jwk.kid === '')
    return 'has no "kid"; assertions name their key with it, so the server refuses a key without one';
  if (jwk.kty === 'oct')
    return 'is a symmetric key (kty "oct"); a trust relationship takes the issuer\'s public key';
  const secret = PRIVATE_JWK_MEMBERS.filter((m) => m in jwk);
  if (secret.length > 0) {
    return `holds private key members (${secret.join(', ')}); give the public key only, the issuer keeps the private one`;
  }
  return undefined;
}

/** The JSON document in a string, or undefined when it is not JSON. */
export function parseJson(v: unknown): unknown {
  if (typeof v !== 'string') return undefined;
  try {
    return JSON.parse(v);
  } catch {
    return undefined;
  }
}

/**
 * Two JWKs (JSON strings) are the same key when their key material and kid are equal and no member both have
 * differs: the server may add members such as `use` that the configuration leaves out.
 */
export function sameJwkJson(a: unknown, b: unknown): boolean {
  const x = parseJson(a);
  const y = parseJson(b);
  if (!isObject(x) || !isObject(y)) return false;
  const same = (m: string) => JSON.stringify(x[m]) === JSON.stringify(y[m]);
  return KEY_MATERIAL.every(same) && Object.keys(x).every((m) => !(m in y) || same(m));
}

// RFC 3339 §5.6 date-time (the `T` may be lower case or, per its note, a space).
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** Milliseconds since the epoch of an RFC 3339 timestamp, or undefined. */
export function rfc3339Millis(v: unknown): number | undefined {
  if (typeof v !== 'string' || !RFC3339.test(v)) return undefined;
  const ms = Date.parse(v.replace(' ', 'T'));
  return Number.isNaN(ms) ? undefined : ms;
}

export function rfc3339Problem(v: unknown): string | undefined {
  return rfc3339Millis(v) === undefined
    ? `${JSON.stringify(v)} is not an RFC 3339 timestamp; for example "2030-01-01T00:00:00Z"`
    : undefined;
}

/** The same instant to the second: the server stores whole seconds in UTC. */
export const sameSecond = (a: unknown, b: unknown): boolean => {
  const x = rfc3339Millis(a);
  const y = rfc3339Millis(b);
  return x !== undefined && y !== undefined && Math.floor(x / 1000) === Math.floor(y / 1000);
};
