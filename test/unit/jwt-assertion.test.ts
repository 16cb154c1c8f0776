// Decoding and verifying client-signed JWTs (RFC 7523 assertions), with assertions made by `jose`: each
// algorithm verifies with its own key; another key, another algorithm, `none`, HS256 or a tampered payload do not.
import { generateKeyPairSync } from 'node:crypto';
import { expect } from 'chai';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { Jwk } from '../../server/keys/jwk.js';
import {
  decodeCompactJwt,
  MAX_ASSERTION_LENGTH,
  verifyJwtSignature,
} from '../../server/oauth2/jwt-assertion.js';

async function signed(alg: string, claims: Record<string, unknown> = { iss: 'a', sub: 'a' }) {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg, use: 'sig' } as Jwk;
  const token = await new SignJWT(claims).setProtectedHeader({ alg, kid: 'k1' }).sign(privateKey);
  return { token, jwk };
}

describe('client-signed JWTs (jwt-assertion)', () => {
  for (const alg of ['RS256', 'PS256', 'ES256', 'ES384', 'EdDSA']) {
    it(`verifies ${alg} with its key, not with another key`, async () => {
      const { token, jwk } = await signed(alg);
      const decoded = decodeCompactJwt(token)!;
      expect(decoded.payload).to.deep.equal({ iss: 'a', sub: 'a' });
      expect(await verifyJwtSignature(decoded, jwk)).to.equal(true);
      const other = await signed(alg);
      expect(await verifyJwtSignature(decoded, other.jwk)).to.equal(false);
    });
  }

  it('refuses a key whose alg differs from the header, or whose type does not fit it', async () => {
    const { token, jwk } = await signed('RS256');
    const decoded = decodeCompactJwt(token)!;
    expect(await verifyJwtSignature(decoded, { ...jwk, alg: 'PS256' })).to.equal(false);
    const ec = await signed('ES256');
    const { alg: _alg, ...withoutAlg } = ec.jwk;
    // An RS256 header with an EC key: refused before any signature check.
    expect(await verifyJwtSignature(decoded, withoutAlg as Jwk)).to.equal(false);
    // ES384 key for an ES256 header: the curve must match.
    const es384 = await signed('ES384');
    const es256 = decodeCompactJwt(ec.token)!;
    const { alg: _a2, ...es384Key } = es384.jwk;
    expect(await verifyJwtSignature(es256, es384Key as Jwk)).to.equal(false);
  });

  it('refuses alg none and HS256, and a payload changed after signing', async () => {
    const { token, jwk } = await signed('RS256');
    const [h, p, s] = token.split('.') as [string, string, string];
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const none = decodeCompactJwt(`${b64({ alg: 'none' })}.${p}.${s}`)!;
    expect(await verifyJwtSignature(none, { ...jwk, alg: undefined } as unknown as Jwk)).to.equal(false);
    const hs = decodeCompactJwt(`${b64({ alg: 'HS256' })}.${p}.${s}`)!;
    expect(await verifyJwtSignature(hs, { ...jwk, alg: undefined } as unknown as Jwk)).to.equal(false);
    const tampered = decodeCompactJwt(`${h}.${b64({ iss: 'b', sub: 'b' })}.${s}`)!;
    expect(await verifyJwtSignature(tampered, jwk)).to.equal(false);
  });

  it('decodes nothing from malformed or oversized input', () => {
    const good = `${Buffer.from('{"alg":"RS256"}').toString('base64url')}.${Buffer.from('{}').toString('base64url')}.AA`;
    expect(decodeCompactJwt(good)).to.not.equal(null);
    for (const bad of [
      '',
      'a.b',
      'a.b.c.d',
      `${good}x.`,
      'e30.W10.AA',
      'e30.e30.',
      `e30.${'A'.repeat(MAX_ASSERTION_LENGTH)}.AA`,
    ]) {
      expect(decodeCompactJwt(bad), bad.slice(0, 30)).to.equal(null);
    }
  });

  it('malformed key material verifies nothing and throws nothing', async () => {
    const { token } = await signed('RS256');
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwk = {
      ...publicKey.export({ format: 'jwk' }),
      n: 'not-a-modulus!',
      kid: 'k1',
      alg: 'RS256',
    } as Jwk;
    expect(await verifyJwtSignature(decodeCompactJwt(token)!, jwk)).to.equal(false);
  });
});
