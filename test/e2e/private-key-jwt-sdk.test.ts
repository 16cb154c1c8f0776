// The SDK's client-credentials token source with `privateKeyJwt` against a real server: a KeyObject, a private
// JWK and a Web Crypto key, a fresh assertion (new jti) for every token request, aud = the token endpoint.
import { generateKeyPairSync, type KeyObject, webcrypto } from 'node:crypto';
import { expect } from 'chai';
import { clientCredentials } from '../../sdk/index.js';
import { createClient, introspect } from '../helpers/oauth2.js';
import { freePort } from '../helpers/restartable-postgres.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

function keyPair(alg: 'RS256' | 'PS256' | 'ES256', kid: string) {
  const { privateKey, publicKey } =
    alg === 'ES256'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { privateKey, jwk: { ...publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' } };
}

const claimsOf = (body: string) => {
  const assertion = new URLSearchParams(body).get('client_assertion')!;
  return JSON.parse(Buffer.from(assertion.split('.')[1]!, 'base64url').toString());
};

describe('SDK clientCredentials() with privateKeyJwt', function () {
  this.timeout(60_000);
  let server: TestServer;
  let issuer: string;

  before(async () => {
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}/`;
    server = await startTestServer({ 'serve.public.port': port, 'urls.self.issuer': issuer });
  });
  after(() => server?.close());

  async function client(alg: 'RS256' | 'PS256' | 'ES256', kid: string) {
    const pair = keyPair(alg, kid);
    const created = await createClient(server, {
      grant_types: ['client_credentials'],
      scope: 'read',
      token_endpoint_auth_method: 'private_key_jwt',
      token_endpoint_auth_signing_alg: alg,
      jwks: { keys: [pair.jwk] },
    });
    return { id: created.client_id, privateKey: pair.privateKey as KeyObject };
  }

  it('signs a fresh assertion per token request with a KeyObject (ES256), aud = the token endpoint', async () => {
    const c = await client('ES256', 'sdk-es');
    const bodies: string[] = [];
    const source = clientCredentials({
      issuer,
      clientId: c.id,
      scope: 'read',
      privateKeyJwt: { key: c.privateKey, kid: 'sdk-es', alg: 'ES256' },
      fetch: async (input, init) => {
        const request = new Request(input, init);
        if (request.method === 'POST') bodies.push(await request.clone().text());
        return fetch(request);
      },
    });
    const first = await source.getToken();
    source.invalidate();
    const second = await source.getToken();
    expect(first).to.not.equal(second);
    for (const token of [first, second]) {
      expect(await introspect(server, token)).to.include({ active: true, client_id: c.id, scope: 'read' });
    }
    const [a, b] = bodies.map(claimsOf);
    expect(a.aud).to.equal(`${issuer}oauth2/token`);
    expect(a.iss).to.equal(c.id);
    expect(a.sub).to.equal(c.id);
    expect(a.exp - a.iat).to.equal(60);
    expect(a.jti).to.not.equal(b.jti);
    expect(new URLSearchParams(bodies[0]).has('client_secret')).to.equal(false);
  });

  it('takes a private JWK (RS256, kid from the JWK) and a Web Crypto key (PS256)', async () => {
    const rs = await client('RS256', 'sdk-rs');
    const jwk = { ...rs.privateKey.export({ format: 'jwk' }), kid: 'sdk-rs' };
    const fromJwk = clientCredentials({
      tokenUrl: `${server.publicUrl}/oauth2/token`,
      clientId: rs.id,
      privateKeyJwt: { key: jwk as never, alg: 'RS256', audience: `${issuer}oauth2/token` },
    });
    expect(await introspect(server, await fromJwk.getToken())).to.include({ active: true, client_id: rs.id });

    const ps = await client('PS256', 'sdk-ps');
    const cryptoKey = await webcrypto.subtle.importKey(
      'jwk',
      ps.privateKey.export({ format: 'jwk' }) as webcrypto.JsonWebKey,
      { name: 'RSA-PSS', hash: 'SHA-256' },
      false,
      ['sign'],
    );
    const fromCryptoKey = clientCredentials({
      issuer,
      clientId: ps.id,
      privateKeyJwt: { key: cryptoKey, kid: 'sdk-ps', alg: 'PS256' },
    });
    expect(await introspect(server, await fromCryptoKey.getToken())).to.include({
      active: true,
      client_id: ps.id,
    });
  });

  it('reports the server refusing the assertion (wrong key) as an OAuth2 error', async () => {
    const c = await client('RS256', 'sdk-wrong');
    const other = keyPair('RS256', 'sdk-wrong');
    const source = clientCredentials({
      issuer,
      clientId: c.id,
      privateKeyJwt: { key: other.privateKey, kid: 'sdk-wrong', alg: 'RS256' },
    });
    const err = await source.getToken().catch((e: unknown) => e);
    expect(err).to.have.property('status', 401);
    expect((err as Error).message).to.include(
      "Unable to verify the integrity of the 'client_assertion' value.",
    );
  });
});
