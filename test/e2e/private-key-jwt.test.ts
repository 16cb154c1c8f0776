// private_key_jwt client authentication (RFC 7523 §2.2) over real HTTP and PostgreSQL: openid-client as a real
// relying party with RS256, ES256 and PS256 keys (inline `jwks` and a `jwks_uri` served here), fosite's errors in
// fosite's order, jti replay, the jwks_uri cache and the SSRF guard on a loopback jwks_uri.
import { generateKeyPairSync, type KeyObject, randomUUID, webcrypto } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { importJWK, SignJWT } from 'jose';
import * as oidc from 'openid-client';
import { call } from '../helpers/api.js';
import { type CreatedClient, createClient, introspect } from '../helpers/oauth2.js';
import { freePort } from '../helpers/restartable-postgres.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const INVALID_CLIENT =
  'Client authentication failed (e.g., unknown client, no client authentication included, or unsupported authentication method).';
const INVALID_REQUEST =
  'The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed.';

type Alg = 'RS256' | 'RS384' | 'RS512' | 'PS256' | 'PS384' | 'PS512' | 'ES256' | 'ES384' | 'ES512';
const CURVES: Record<string, string> = { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' };

interface TestKey {
  alg: Alg;
  kid: string;
  privateKey: KeyObject;
  /** The public JWK as a client registers it. */
  jwk: Record<string, unknown>;
}

function makeKey(
  alg: Alg,
  kid = `${alg}-${randomUUID().slice(0, 8)}`,
  use: string | undefined = 'sig',
): TestKey {
  const { privateKey, publicKey } = alg.startsWith('ES')
    ? generateKeyPairSync('ec', { namedCurve: CURVES[alg]! })
    : generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk: Record<string, unknown> = { ...publicKey.export({ format: 'jwk' }), kid, alg };
  if (use) jwk.use = use;
  return { alg, kid, privateKey, jwk };
}

const WEB_ALGORITHMS = {
  RS256: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
  PS256: { name: 'RSA-PSS', hash: 'SHA-256' },
  ES256: { name: 'ECDSA', namedCurve: 'P-256' },
} as const;

/** The private key as the CryptoKey openid-client signs with (its algorithm picks the JWS `alg`). */
function cryptoKey(key: TestKey) {
  return webcrypto.subtle.importKey(
    'jwk',
    key.privateKey.export({ format: 'jwk' }) as webcrypto.JsonWebKey,
    WEB_ALGORITHMS[key.alg as keyof typeof WEB_ALGORITHMS],
    false,
    ['sign'],
  );
}

/** A JWKS server on 127.0.0.1 that counts its fetches. */
async function jwksServer() {
  const hits: string[] = [];
  const sets: Record<string, unknown> = {};
  const server = http.createServer((req, res) => {
    hits.push(req.url ?? '');
    const set = sets[req.url ?? ''];
    if (!set) {
      res.writeHead(404).end();
      return;
    }
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(set));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    hits,
    serve: (path: string, keys: TestKey[]) => {
      sets[path] = { keys: keys.map((k) => k.jwk) };
    },
    count: (path: string) => hits.filter((h) => h === path).length,
    close: () => new Promise((ok) => server.close(ok)),
  };
}

describe('private_key_jwt client authentication', function () {
  this.timeout(60_000);
  let server: TestServer;
  let jwks: Awaited<ReturnType<typeof jwksServer>>;
  let issuer: string;
  let tokenUrl: string;

  before(async () => {
    jwks = await jwksServer();
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}/`;
    tokenUrl = `${issuer}oauth2/token`;
    server = await startTestServer({
      'serve.public.port': port,
      'urls.self.issuer': issuer,
      // Private addresses stay refused (the default); only these exact URLs are allowed.
      'clients.http.private_ip_exception_urls': [
        `${jwks.base}/RS256.json`,
        `${jwks.base}/ES256.json`,
        `${jwks.base}/PS256.json`,
        `${jwks.base}/rotating.json`,
      ],
      // The error cases below fail one client many times from one address.
      'rate_limit.enabled': false,
    });
  });
  after(async () => {
    await server?.close();
    await jwks?.close();
  });

  const pkjwtClient = (keys: { jwks?: TestKey[]; jwks_uri?: string }, extra: Record<string, unknown> = {}) =>
    createClient(server, {
      grant_types: ['client_credentials'],
      scope: 'read',
      token_endpoint_auth_method: 'private_key_jwt',
      ...(keys.jwks ? { jwks: { keys: keys.jwks.map((k) => k.jwk) } } : {}),
      ...(keys.jwks_uri ? { jwks_uri: keys.jwks_uri } : {}),
      ...extra,
    });

  /** An assertion signed with `key`, with good claims unless `claims` overrides (undefined removes one). */
  async function assertion(
    key: TestKey,
    clientId: string,
    claims: Record<string, unknown> = {},
    header: Record<string, unknown> = {},
  ): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const payload: Record<string, unknown> = {
      iss: clientId,
      sub: clientId,
      aud: tokenUrl,
      jti: randomUUID(),
      iat: now,
      exp: now + 60,
      ...claims,
    };
    for (const k of Object.keys(payload)) if (payload[k] === undefined) delete payload[k];
    const signingKey = await importJWK(key.privateKey.export({ format: 'jwk' }) as never, key.alg);
    return new SignJWT(payload)
      .setProtectedHeader({ alg: key.alg, kid: key.kid, ...header })
      .sign(signingKey);
  }

  const token = (form: Record<string, string>) =>
    call(server, 'oauth2TokenExchange', { form: { grant_type: 'client_credentials', ...form } });

  const withAssertion = (clientAssertion: string, clientId?: string) =>
    token({
      client_assertion_type: ASSERTION_TYPE,
      client_assertion: clientAssertion,
      ...(clientId ? { client_id: clientId } : {}),
    });

  function expectError(
    res: Awaited<ReturnType<typeof token>>,
    status: number,
    error: string,
    description: string,
  ) {
    expect({ status: res.status, body: res.body }).to.deep.equal({
      status,
      body: { error, error_description: description },
    });
  }

  describe('openid-client (PrivateKeyJwt) obtains a token', () => {
    for (const alg of ['RS256', 'ES256', 'PS256'] as const) {
      for (const source of ['jwks', 'jwks_uri'] as const) {
        it(`with an ${alg} key from ${source}`, async () => {
          const key = makeKey(alg);
          let client: CreatedClient;
          if (source === 'jwks') {
            client = await pkjwtClient({ jwks: [key] }, { token_endpoint_auth_signing_alg: alg });
          } else {
            jwks.serve(`/${alg}.json`, [key]);
            client = await pkjwtClient(
              { jwks_uri: `${jwks.base}/${alg}.json` },
              { token_endpoint_auth_signing_alg: alg },
            );
          }
          const config = await oidc.discovery(
            new URL(issuer),
            client.client_id,
            undefined,
            oidc.PrivateKeyJwt({ key: await cryptoKey(key), kid: key.kid }),
            { execute: [oidc.allowInsecureRequests] },
          );
          const tokens = await oidc.clientCredentialsGrant(config, { scope: 'read' });
          expect(await introspect(server, tokens.access_token)).to.include({
            active: true,
            client_id: client.client_id,
            scope: 'read',
          });
        });
      }
    }
  });

  it('also takes RS384, RS512, PS384, PS512, ES384 and ES512 assertions', async () => {
    for (const alg of ['RS384', 'RS512', 'PS384', 'PS512', 'ES384', 'ES512'] as const) {
      const key = makeKey(alg);
      const client = await pkjwtClient({ jwks: [key] }, { token_endpoint_auth_signing_alg: alg });
      const res = await withAssertion(await assertion(key, client.client_id));
      expect(res.status, `${alg}: ${res.text}`).to.equal(200);
    }
  });

  describe('audience', () => {
    it('accepts the token endpoint URL (Hydra), the issuer (openid-client sends it), and an array holding one', async () => {
      const key = makeKey('RS256');
      const client = await pkjwtClient({ jwks: [key] });
      for (const aud of [tokenUrl, issuer, ['https://other.example', tokenUrl]]) {
        const res = await withAssertion(await assertion(key, client.client_id, { aud }));
        expect(res.status, res.text).to.equal(200);
      }
    });
  });

  it('refuses a replayed assertion: jti is single-use', async () => {
    const key = makeKey('ES256');
    const client = await pkjwtClient({ jwks: [key] }, { token_endpoint_auth_signing_alg: 'ES256' });
    const once = await assertion(key, client.client_id);
    expect((await withAssertion(once)).status).to.equal(200);
    expectError(
      await withAssertion(once),
      400,
      'jti_known',
      "The jti was already used. Claim 'jti' from 'client_assertion' MUST only be used once.",
    );
    // The same jti from another client is that client's own.
    const other = await pkjwtClient({ jwks: [key] }, { token_endpoint_auth_signing_alg: 'ES256' });
    const jti = JSON.parse(Buffer.from(once.split('.')[1]!, 'base64url').toString()).jti;
    expect((await withAssertion(await assertion(key, other.client_id, { jti }))).status).to.equal(200);
  });

  it('authenticates revocation too', async () => {
    const key = makeKey('PS256');
    const client = await pkjwtClient({ jwks: [key] }, { token_endpoint_auth_signing_alg: 'PS256' });
    const res = await withAssertion(await assertion(key, client.client_id));
    expect(res.status, res.text).to.equal(200);
    const revoked = await call(server, 'revokeOAuth2Token', {
      form: {
        token: res.body.access_token,
        client_assertion_type: ASSERTION_TYPE,
        client_assertion: await assertion(key, client.client_id),
      },
    });
    expect(revoked.status, revoked.text).to.equal(200);
    expect(await introspect(server, res.body.access_token)).to.deep.equal({ active: false });
  });

  describe("fosite's errors, in fosite's order", () => {
    let key: TestKey;
    let client: CreatedClient;
    before(async () => {
      key = makeKey('RS256');
      client = await pkjwtClient({ jwks: [key] });
    });

    it('client_assertion missing, or an unknown assertion type: 400 invalid_request', async () => {
      expectError(
        await token({ client_assertion_type: ASSERTION_TYPE, client_id: client.client_id }),
        400,
        'invalid_request',
        `${INVALID_REQUEST} The client_assertion request parameter must be set when using client_assertion_type of '${ASSERTION_TYPE}'.`,
      );
      expectError(
        await token({ client_assertion_type: 'saml', client_assertion: 'x' }),
        400,
        'invalid_request',
        `${INVALID_REQUEST} Unknown client_assertion_type 'saml'.`,
      );
    });

    it('a malformed assertion: 401 integrity', async () => {
      expectError(
        await withAssertion('a.b.c', client.client_id),
        401,
        'invalid_client',
        `${INVALID_CLIENT} Unable to verify the integrity of the 'client_assertion' value.`,
      );
    });

    it('client_secret_jwt (an HMAC assertion) is not supported', async () => {
      const hs = await new SignJWT({ iss: client.client_id, sub: client.client_id })
        .setProtectedHeader({ alg: 'HS256' })
        .sign(new Uint8Array(32));
      expectError(
        await withAssertion(hs, client.client_id),
        401,
        'invalid_client',
        `${INVALID_CLIENT} This authorization server does not support client authentication method 'client_secret_jwt'.`,
      );
    });

    it('no client_id and no sub; an unknown client', async () => {
      expectError(
        await withAssertion(await assertion(key, client.client_id, { sub: undefined })),
        401,
        'invalid_client',
        `${INVALID_CLIENT} The claim 'sub' from the client_assertion JSON Web Token is undefined.`,
      );
      expectError(
        await withAssertion(await assertion(key, 'no-such-client')),
        401,
        'invalid_client',
        INVALID_CLIENT,
      );
      // A sub no client id can hold (PostgreSQL's text refuses NUL) is an unknown client too, not a storage 400.
      expectError(
        await withAssertion(await assertion(key, 'no\u0000such')),
        401,
        'invalid_client',
        INVALID_CLIENT,
      );
    });

    it("another method: fosite's hint only for an assertion signed by the client's own key", async () => {
      const own = makeKey('RS256');
      const basic = await createClient(server, { jwks: { keys: [own.jwk] } });
      const none = await createClient(server, {
        token_endpoint_auth_method: 'none',
        jwks: { keys: [own.jwk] },
      });
      const hmac = await createClient(server, {
        token_endpoint_auth_method: 'client_secret_jwt',
        jwks: { keys: [own.jwk] },
      });
      expectError(
        await withAssertion(await assertion(own, none.client_id)),
        401,
        'invalid_client',
        `${INVALID_CLIENT} This requested OAuth 2.0 client does not support client authentication, however 'client_assertion' was provided in the request.`,
      );
      expectError(
        await withAssertion(await assertion(own, basic.client_id)),
        401,
        'invalid_client',
        `${INVALID_CLIENT} This requested OAuth 2.0 client only supports client authentication method 'client_secret_basic', however 'client_assertion' was provided in the request.`,
      );
      expectError(
        await withAssertion(await assertion(own, hmac.client_id)),
        401,
        'invalid_client',
        `${INVALID_CLIENT} This requested OAuth 2.0 client only supports client authentication method 'client_secret_jwt', however that method is not supported by this server.`,
      );
      // Signed by someone else's key: the same answer as an unknown client, so the method does not show.
      for (const id of [basic.client_id, none.client_id, hmac.client_id]) {
        expectError(await withAssertion(await assertion(key, id)), 401, 'invalid_client', INVALID_CLIENT);
      }
    });

    it('the header alg must be the client’s token_endpoint_auth_signing_alg (RS256 by default)', async () => {
      const es = makeKey('ES256', key.kid);
      expectError(
        await withAssertion(await assertion(es, client.client_id)),
        401,
        'invalid_client',
        `${INVALID_CLIENT} The 'client_assertion' uses signing algorithm 'ES256' but the requested OAuth 2.0 Client enforces signing algorithm 'RS256'.`,
      );
    });

    it('key selection: an empty set, an unknown kid, no signing key of the type', async () => {
      const empty = await pkjwtClient({}, { jwks: { keys: [] } });
      expectError(
        await withAssertion(await assertion(key, empty.client_id)),
        400,
        'invalid_request',
        `${INVALID_REQUEST} The retrieved JSON Web Key Set does not contain any key.`,
      );
      expectError(
        await withAssertion(await assertion(key, client.client_id, {}, { kid: 'nope' })),
        400,
        'invalid_request',
        `${INVALID_REQUEST} The JSON Web Token uses signing key with kid 'nope', which could not be found.`,
      );
      const enc = makeKey('RS256', 'enc-key', 'enc');
      const encClient = await pkjwtClient({ jwks: [enc] });
      expectError(
        await withAssertion(await assertion(enc, encClient.client_id)),
        400,
        'invalid_request',
        `${INVALID_REQUEST} Unable to find RSA public key with use='sig' for kid 'enc-key' in JSON Web Key Set.`,
      );
    });

    it('a key without `use` is a signing key (RFC 7517 §4.2; Hydra skips it)', async () => {
      const bare = makeKey('ES256', 'no-use', undefined);
      const c = await pkjwtClient({ jwks: [bare] }, { token_endpoint_auth_signing_alg: 'ES256' });
      const res = await withAssertion(await assertion(bare, c.client_id));
      expect(res.status, res.text).to.equal(200);
    });

    it('a wrong signature: 401 integrity', async () => {
      const impostor = makeKey('RS256', key.kid);
      expectError(
        await withAssertion(await assertion(impostor, client.client_id)),
        401,
        'invalid_client',
        `${INVALID_CLIENT} Unable to verify the integrity of the 'client_assertion' value.`,
      );
    });

    it('expired, issued in the future, not yet valid: 401 (Hydra: 500)', async () => {
      const now = Math.floor(Date.now() / 1000);
      const cases: [Record<string, unknown>, string][] = [
        [{ exp: now - 10 }, 'Token is expired'],
        [{ iat: now + 300 }, 'Token used before issued'],
        [{ nbf: now + 300 }, 'Token is not valid yet'],
      ];
      for (const [claims, reason] of cases) {
        expectError(
          await withAssertion(await assertion(key, client.client_id, claims)),
          401,
          'invalid_client',
          `${INVALID_CLIENT} Unable to verify the request object because its claims could not be validated, check if the expiry time is set correctly. ${reason}.`,
        );
      }
    });

    it('iss, sub, jti, exp, aud', async () => {
      const id = client.client_id;
      expectError(
        await withAssertion(await assertion(key, id, { iss: 'someone' })),
        401,
        'invalid_client',
        `${INVALID_CLIENT} Claim 'iss' from 'client_assertion' must match the 'client_id' of the OAuth 2.0 Client.`,
      );
      expectError(
        await withAssertion(await assertion(key, id, { sub: 'someone' }), id),
        401,
        'invalid_client',
        `${INVALID_CLIENT} Claim 'sub' from 'client_assertion' must match the 'client_id' of the OAuth 2.0 Client.`,
      );
      expectError(
        await withAssertion(await assertion(key, id, { jti: undefined })),
        401,
        'invalid_client',
        `${INVALID_CLIENT} Claim 'jti' from 'client_assertion' must be set but is not.`,
      );
      expectError(
        await withAssertion(await assertion(key, id, { exp: undefined })),
        401,
        'invalid_client',
        `${INVALID_CLIENT} Unable to type assert the expiry time from claims. This should not happen as we validate the expiry time already earlier with token.Claims.Valid()`,
      );
      expectError(
        await withAssertion(await assertion(key, id, { aud: 'https://elsewhere.example/token' })),
        401,
        'invalid_client',
        `${INVALID_CLIENT} Claim 'audience' from 'client_assertion' must match the authorization server's token endpoint '${tokenUrl}' or '${issuer}'.`,
      );
    });
  });

  describe('jwks_uri', () => {
    it('is cached; a new kid refetches once, and a second miss right after does not fetch again', async () => {
      const first = makeKey('RS256');
      jwks.serve('/rotating.json', [first]);
      const client = await pkjwtClient({ jwks_uri: `${jwks.base}/rotating.json` });
      for (let i = 0; i < 3; i++) {
        const res = await withAssertion(await assertion(first, client.client_id));
        expect(res.status, res.text).to.equal(200);
      }
      expect(jwks.count('/rotating.json')).to.equal(1);

      // The client rotates its key: the unknown kid refetches the set once.
      const second = makeKey('RS256');
      jwks.serve('/rotating.json', [first, second]);
      const rotated = await withAssertion(await assertion(second, client.client_id));
      expect(rotated.status, rotated.text).to.equal(200);
      expect(jwks.count('/rotating.json')).to.equal(2);

      // Unknown kids cannot make the server fetch in a loop.
      for (let i = 0; i < 3; i++) {
        const res = await withAssertion(
          await assertion(first, client.client_id, {}, { kid: `unknown-${i}` }),
        );
        expect(res.status).to.equal(400);
      }
      expect(jwks.count('/rotating.json')).to.equal(2);
    });

    it('on a loopback address is refused with the default configuration, and nothing is fetched', async () => {
      const key = makeKey('RS256');
      const uri = `${jwks.base}/private.json`;
      jwks.serve('/private.json', [key]);
      const client = await pkjwtClient({ jwks_uri: uri });
      expectError(
        await withAssertion(await assertion(key, client.client_id)),
        401,
        'invalid_client',
        `${INVALID_CLIENT} Unable to fetch JSON Web Keys from location '${uri}'. Check for typos or other network issues (refused to fetch '${uri}': its host is or resolves to a private, loopback or link-local address).`,
      );
      expect(jwks.count('/private.json')).to.equal(0);
    });
  });

  it('discovery lists private_key_jwt and its algorithms', async () => {
    const res = await call(server, 'discoverOidcConfiguration');
    expect(res.body.token_endpoint_auth_methods_supported).to.include('private_key_jwt');
    expect(res.body.token_endpoint_auth_methods_supported).to.not.include('client_secret_jwt');
    expect(res.body.token_endpoint_auth_signing_alg_values_supported).to.include.members([
      'RS256',
      'ES256',
      'PS256',
    ]);
  });
});

describe('private_key_jwt and the failed-authentication lockout', function () {
  this.timeout(60_000);
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ 'rate_limit.lockout.threshold': 2, 'rate_limit.lockout.delay': '1ms' });
  });
  after(() => server?.close());

  it('counts failed assertions against the client their sub names when client_id is left out', async () => {
    const key = makeKey('RS256');
    const impostor = makeKey('RS256', key.kid);
    const client = await createClient(server, {
      grant_types: ['client_credentials'],
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [key.jwk] },
    });
    const send = async (signer: TestKey) => {
      const now = Math.floor(Date.now() / 1000);
      const signingKey = await importJWK(signer.privateKey.export({ format: 'jwk' }) as never, 'RS256');
      const jwt = await new SignJWT({ iss: client.client_id, sub: client.client_id, jti: randomUUID() })
        .setProtectedHeader({ alg: 'RS256', kid: signer.kid })
        .setAudience(server.config.issuer)
        .setIssuedAt(now)
        .setExpirationTime(now + 60)
        .sign(signingKey);
      return call(server, 'oauth2TokenExchange', {
        form: {
          grant_type: 'client_credentials',
          client_assertion_type: ASSERTION_TYPE,
          client_assertion: jwt,
        },
      });
    };
    expect((await send(impostor)).status).to.equal(401);
    expect((await send(impostor)).status).to.equal(401);
    // Locked out now, even with the right key.
    const locked = await send(key);
    expect(locked.status, locked.text).to.equal(429);
    expect(locked.body.error).to.equal('temporarily_unavailable');
  });
});
