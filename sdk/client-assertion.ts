// `private_key_jwt` client assertions (RFC 7523 §2.2, OpenID Connect Core §9), signed with Web Crypto so the SDK
// keeps to what every fetch-capable runtime has (no node:crypto import, no dependency).

/** JWS algorithms of client assertions (Hydra's token_endpoint_auth_signing_alg values). */
export type AssertionAlgorithm =
  | 'RS256'
  | 'RS384'
  | 'RS512'
  | 'PS256'
  | 'PS384'
  | 'PS512'
  | 'ES256'
  | 'ES384'
  | 'ES512';

/** A private JSON Web Key (RFC 7517; `d` is the private part). */
export interface PrivateJwk {
  kty: string;
  d?: string;
  kid?: string;
  [member: string]: unknown;
}

/** A node:crypto private KeyObject, described by the one method used here (so no Node typings are needed). */
export interface PrivateKeyObject {
  type: string;
  export(options: { format: 'jwk' }): object;
}

/** Web Crypto's CryptoKey, named through `crypto.subtle` so that no DOM or Node typings are needed. */
export type WebCryptoKey = Awaited<ReturnType<typeof crypto.subtle.importKey>>;

export interface PrivateKeyJwt {
  /** The client's private key: a node KeyObject, a private JWK, or a Web Crypto CryptoKey that can sign. */
  key: PrivateKeyObject | PrivateJwk | WebCryptoKey;
  /** The `kid` of the registered public key (default: the JWK's `kid`). */
  kid?: string;
  /** The client's `token_endpoint_auth_signing_alg` (Hydra's default is RS256). */
  alg: AssertionAlgorithm;
  /** The assertion's `aud` (default: the token endpoint URL, which Hydra requires; Tollgate also accepts the issuer). */
  audience?: string;
  /** Seconds until the assertion expires (default 60). */
  lifetime?: number;
}

function webAlgorithm(alg: AssertionAlgorithm) {
  const hash = `SHA-${alg.slice(2)}`;
  if (alg.startsWith('RS'))
    return { import: { name: 'RSASSA-PKCS1-v1_5', hash }, sign: { name: 'RSASSA-PKCS1-v1_5' } };
  // RFC 7518 §3.5: the salt is as long as the hash.
  if (alg.startsWith('PS')) {
    return {
      import: { name: 'RSA-PSS', hash },
      sign: { name: 'RSA-PSS', saltLength: Number(alg.slice(2)) / 8 },
    };
  }
  const namedCurve = { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' }[alg as 'ES256'];
  return { import: { name: 'ECDSA', namedCurve }, sign: { name: 'ECDSA', hash } };
}

const isCryptoKey = (key: object): key is WebCryptoKey =>
  'algorithm' in key && 'usages' in key && 'extractable' in key;

const b64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replaceAll('+', '-')
    .replaceAll('/', '_')
    .replace(/=+$/, '');
const b64urlJson = (value: unknown) => b64url(new TextEncoder().encode(JSON.stringify(value)));

/** Imports the key once; `sign` then makes a fresh assertion (new jti, iat, exp) for each token request. */
export function assertionSigner(options: PrivateKeyJwt) {
  const algorithm = webAlgorithm(options.alg);
  let jwk: PrivateJwk | undefined;
  let key: Promise<WebCryptoKey>;
  if (isCryptoKey(options.key)) {
    key = Promise.resolve(options.key);
  } else {
    const k = options.key as PrivateKeyObject | PrivateJwk;
    jwk = (
      typeof k.export === 'function' ? (k as PrivateKeyObject).export({ format: 'jwk' }) : k
    ) as PrivateJwk;
    if (typeof jwk.d !== 'string') throw new TypeError('privateKeyJwt.key must be a private key');
    // Only the key material: Web Crypto refuses a JWK whose `alg` or `key_ops` differ from the import.
    const { kid: _kid, alg: _alg, use: _use, key_ops: _ops, ...material } = jwk;
    key = crypto.subtle.importKey('jwk', material as never, algorithm.import, false, ['sign']);
    // An unhandled rejection before the first request would be reported twice; sign() reports it.
    key.catch(() => {});
  }
  const kid = options.kid ?? (jwk as { kid?: unknown } | undefined)?.kid;

  return async (clientId: string, tokenUrl: string): Promise<string> => {
    const now = Math.floor(Date.now() / 1000);
    const header = { alg: options.alg, typ: 'JWT', ...(typeof kid === 'string' ? { kid } : {}) };
    const payload = {
      iss: clientId,
      sub: clientId,
      aud: options.audience ?? tokenUrl,
      jti: crypto.randomUUID(),
      iat: now,
      exp: now + (options.lifetime ?? 60),
    };
    const input = `${b64urlJson(header)}.${b64urlJson(payload)}`;
    const signature = await crypto.subtle.sign(algorithm.sign, await key, new TextEncoder().encode(input));
    return `${input}.${b64url(new Uint8Array(signature))}`;
  };
}
