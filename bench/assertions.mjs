// Signed-assertion scenarios (RFC 7523): `assertion` is client_credentials with private_key_jwt client
// authentication, `jwt-bearer` is the JWT bearer grant. Each request carries a freshly signed ES256 JWT with its
// own jti (both servers refuse a replayed jti), signed in the load generator as a client would.
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';

const b64 = (value) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** An ES256 key pair for the bench: the private KeyObject and the public JWK servers register. */
export function benchKey(kid) {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return { privateKey, kid, jwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig' } };
}

/** A compact ES256 JWT with a fresh jti, valid for five minutes. */
export function signedJwt(key, claims) {
  const now = Math.floor(Date.now() / 1000);
  const input = `${b64({ alg: 'ES256', kid: key.kid, typ: 'JWT' })}.${b64({
    ...claims,
    jti: randomBytes(12).toString('base64url'),
    iat: now,
    exp: now + 300,
  })}`;
  const signature = sign('sha256', Buffer.from(input), { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}

const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };

/** client_credentials authenticated by a private_key_jwt assertion for `clientId`, audience `aud`. */
export function assertionRequest(path, key, clientId, aud) {
  const body = () =>
    new URLSearchParams({
      grant_type: 'client_credentials',
      scope: 'api',
      client_id: clientId,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: signedJwt(key, { iss: clientId, sub: clientId, aud }),
    }).toString();
  return {
    method: 'POST',
    path,
    headers: FORM,
    body: body(),
    setupRequest: (req) => ({ ...req, body: body() }),
  };
}

/** The jwt-bearer grant for `subject` of `issuer`, the client authenticating with `authorization`. */
export function jwtBearerRequest(path, key, { issuer, subject, aud, authorization }) {
  const body = () =>
    new URLSearchParams({
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      scope: 'api',
      assertion: signedJwt(key, { iss: issuer, sub: subject, aud }),
    }).toString();
  return {
    method: 'POST',
    path,
    headers: { ...FORM, Authorization: authorization },
    body: body(),
    setupRequest: (req) => ({ ...req, body: body() }),
  };
}
