// Token strategies end to end (docs/hydra-compatibility.md): the `ory_at_` format and what the database keeps
// of it, RFC 9068 JWTs verified against the published keys, and introspection, revocation (RFC 7009) and bulk
// deletion working the same for both.
import { createHash, createPublicKey, type JsonWebKey, verify } from 'node:crypto';
import { expect } from 'chai';
import pg from 'pg';
import { call } from '../helpers/api.js';
import { HYDRA_INTROSPECTION_KEYS } from '../helpers/hydra.js';
import {
  type CreatedClient,
  ccClient,
  expectOAuth2Error,
  introspect,
  issueToken,
  sleep,
} from '../helpers/oauth2.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const ISSUER = 'http://127.0.0.1:4444/';
const decodePart = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));

interface Jwt {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
}

/** Splits a JWT and verifies its RS256 signature with the key its `kid` names in /.well-known/jwks.json. */
async function verifyJwt(server: TestServer, token: string): Promise<Jwt> {
  const parts = token.split('.');
  expect(parts).to.have.length(3);
  const [h, p, s] = parts as [string, string, string];
  const header = decodePart(h);
  const jwks = await call(server, 'discoverJsonWebKeys');
  expect(jwks.status).to.equal(200);
  const jwk = (jwks.body.keys as (JsonWebKey & { kid: string; use: string; alg: string })[]).find(
    (k) => k.kid === header.kid,
  );
  expect(jwk, `kid ${header.kid} is published in /.well-known/jwks.json`).to.not.equal(undefined);
  expect(jwk).to.include({ kty: 'RSA', use: 'sig', alg: 'RS256' });
  expect(jwk).not.to.have.any.keys('d', 'p', 'q', 'dp', 'dq', 'qi');
  const key = createPublicKey({ key: jwk!, format: 'jwk' });
  const ok = verify('sha256', Buffer.from(`${h}.${p}`), key, Buffer.from(s, 'base64url'));
  expect(ok, 'the JWT verifies with the published key').to.equal(true);
  return { header, payload: decodePart(p) };
}

async function revoke(
  server: TestServer,
  client: CreatedClient,
  form: Record<string, string>,
  secret = client.client_secret!,
) {
  return call(server, 'revokeOAuth2Token', { form, basic: [client.client_id, secret] });
}

async function tokenRows(dsn: string): Promise<Record<string, unknown>[]> {
  const db = new pg.Client({ connectionString: dsn });
  await db.connect();
  try {
    return (await db.query('SELECT * FROM oauth2_access_tokens')).rows;
  } finally {
    await db.end();
  }
}

describe('access token strategies, end to end', function () {
  // Generating the RSA-4096 signing keys takes a few seconds.
  this.timeout(120_000);
  let server: TestServer;
  let opaqueClient: CreatedClient;
  let jwtClient: CreatedClient;

  before(async () => {
    server = await startTestServer();
    opaqueClient = await ccClient(server, { scope: 'read write', audience: ['https://api.example'] });
    jwtClient = await ccClient(server, {
      scope: 'read write',
      audience: ['https://api.example'],
      access_token_strategy: 'jwt',
    });
  });
  after(() => server?.close());

  describe('opaque tokens (the default)', () => {
    it('look like Hydra’s: ory_at_ + 43 chars + . + 43 chars of base64url', async () => {
      const token = await issueToken(server, opaqueClient, { scope: 'read' });
      expect(token).to.have.length(94);
      expect(token).to.match(/^ory_at_[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}$/);
    });

    it('are never stored: the row holds hex SHA-384 of the signature part, nothing of the token in clear', async () => {
      const token = await issueToken(server, opaqueClient, { scope: 'read write' });
      const [keyPart, sigPart] = token.slice('ory_at_'.length).split('.') as [string, string];
      const rows = await tokenRows(server.dsn);
      const dump = JSON.stringify(rows);
      for (const secret of [token, keyPart, sigPart, token.slice(0, 30)]) expect(dump).not.to.include(secret);
      const expected = createHash('sha384').update(sigPart).digest('hex');
      const row = rows.find((r) => r.signature === expected);
      expect(row, 'a row keyed by hex(SHA-384(signature part))').to.not.equal(undefined);
      expect(row!.signature).to.match(/^[0-9a-f]{96}$/);
      expect(row).to.include({ client_id: opaqueClient.client_id, subject: opaqueClient.client_id });
      expect(row!.granted_scope).to.deep.equal(['read', 'write']);
    });

    it('a token with a changed character is inactive', async () => {
      const token = await issueToken(server, opaqueClient);
      const last = token.at(-1) === 'A' ? 'B' : 'A';
      expect(await introspect(server, `${token.slice(0, -1)}${last}`)).to.deep.equal({ active: false });
    });
  });

  describe('JWT tokens (per client: access_token_strategy jwt)', () => {
    it('are RFC 9068 JWTs: typ at+jwt, RS256, a published kid, Hydra’s claims', async () => {
      // iat must fall within the request, however long a loaded machine takes to answer it.
      const before = Math.floor(Date.now() / 1000);
      const token = await issueToken(server, jwtClient, {
        scope: 'read write',
        audience: 'https://api.example',
      });
      const after = Math.ceil(Date.now() / 1000);
      expect(token).not.to.match(/^ory_at_/);
      const { header, payload } = await verifyJwt(server, token);
      expect(header).to.deep.equal({ alg: 'RS256', kid: header.kid, typ: 'at+jwt' });
      expect(header.kid).to.be.a('string').that.is.not.empty;
      expect(payload).to.include({ iss: ISSUER, sub: jwtClient.client_id, client_id: jwtClient.client_id });
      expect(payload.aud).to.deep.equal(['https://api.example']);
      expect(payload.scp).to.deep.equal(['read', 'write']);
      expect(payload.jti).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(payload.nbf).to.equal(payload.iat);
      expect(payload.exp).to.equal((payload.iat as number) + 3600);
      expect(payload.iat as number).to.be.within(before, after);
      // Introspection agrees with the claims.
      const info = await introspect(server, token);
      expect(info).to.include({ active: true, exp: payload.exp, iat: payload.iat, sub: payload.sub });
      expect(info.aud).to.deep.equal(payload.aud);
    });

    it('with no scope or audience requested: `scp: []`, `aud: []`', async () => {
      const { payload } = await verifyJwt(server, await issueToken(server, jwtClient));
      expect(payload.scp).to.deep.equal([]);
      expect(payload.aud).to.deep.equal([]);
    });

    it('are stored like opaque ones: keyed by hex SHA-384 of the JWT signature, the JWT itself absent', async () => {
      const token = await issueToken(server, jwtClient, { scope: 'read' });
      const sigPart = token.split('.')[2]!;
      const rows = await tokenRows(server.dsn);
      const dump = JSON.stringify(rows);
      expect(dump).not.to.include(token);
      expect(dump).not.to.include(sigPart);
      const expected = createHash('sha384').update(sigPart).digest('hex');
      expect(rows.some((r) => r.signature === expected)).to.equal(true);
    });

    it('a JWT with a changed payload fails verification and is inactive', async () => {
      const token = await issueToken(server, jwtClient, { scope: 'read' });
      const [h, p, s] = token.split('.') as [string, string, string];
      const payload = decodePart(p);
      payload.scp = ['read', 'write'];
      const forged = `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`;
      expect(await introspect(server, forged)).to.deep.equal({ active: false });
    });
  });

  describe('introspection', () => {
    for (const kind of ['opaque', 'jwt'] as const) {
      const client = () => (kind === 'jwt' ? jwtClient : opaqueClient);

      it(`${kind}: Hydra’s fields in Hydra’s order, with the no-store headers`, async () => {
        const token = await issueToken(server, client(), {
          scope: 'write read',
          audience: 'https://api.example/v1',
        });
        const res = await call(server, 'introspectOAuth2Token', { form: { token } });
        expect(res.status).to.equal(200);
        expect(res.headers.get('content-type')).to.equal('application/json;charset=UTF-8');
        expect(res.headers.get('cache-control')).to.equal('no-store');
        expect(res.headers.get('pragma')).to.equal('no-cache');
        expect(Object.keys(res.body)).to.deep.equal(HYDRA_INTROSPECTION_KEYS);
        expect(res.body).to.include({
          active: true,
          scope: 'write read',
          client_id: client().client_id,
          sub: client().client_id,
          iss: ISSUER,
          token_type: 'Bearer',
          token_use: 'access_token',
        });
        expect(res.body.aud).to.deep.equal(['https://api.example/v1']);
        expect(res.body.exp - res.body.iat).to.equal(3600);
        expect(res.body.nbf).to.equal(res.body.iat);
      });

      it(`${kind}: the \`scope\` parameter — all granted → active, one not granted → inactive`, async () => {
        const token = await issueToken(server, client(), { scope: 'read' });
        expect(await introspect(server, token, { scope: 'read' })).to.include({ active: true });
        expect(await introspect(server, token, { scope: ' read  ' })).to.include({ active: true });
        expect(await introspect(server, token, { scope: 'read write' })).to.deep.equal({ active: false });
        expect(await introspect(server, token, { scope: 'write' })).to.deep.equal({ active: false });
      });

      it(`${kind}: an expired token (lifespan 1s) is inactive`, async () => {
        const short = await ccClient(server, {
          access_token_strategy: kind,
          client_credentials_grant_access_token_lifespan: '1s',
        });
        const res = await call(server, 'oauth2TokenExchange', {
          form: { grant_type: 'client_credentials' },
          basic: [short.client_id, short.client_secret!],
        });
        expect(res.body.expires_in).to.equal(0);
        expect(await introspect(server, res.body.access_token)).to.include({ active: true });
        await sleep(2100);
        expect(await introspect(server, res.body.access_token)).to.deep.equal({ active: false });
      });

      it(`${kind}: a deleted client’s token is inactive`, async () => {
        const doomed = await ccClient(server, { access_token_strategy: kind });
        const token = await issueToken(server, doomed);
        expect(await introspect(server, token)).to.include({ active: true });
        expect(
          (await call(server, 'deleteOAuth2Client', { params: { id: doomed.client_id } })).status,
        ).to.equal(204);
        expect(await introspect(server, token)).to.deep.equal({ active: false });
      });
    }

    it('garbage, an empty token and a foreign JWT are inactive; an empty body is 400 invalid_request', async () => {
      for (const token of ['nonsense', 'ory_at_abc.def', 'a.b.c', 'eyJhbGciOiJub25lIn0.e30.']) {
        expect(await introspect(server, token)).to.deep.equal({ active: false });
      }
      const empty = await call(server, 'introspectOAuth2Token', { form: '' });
      expect(empty.status).to.equal(400);
      expect(empty.body.error).to.equal('invalid_request');
    });
  });

  describe('revocation (POST /oauth2/revoke)', () => {
    for (const kind of ['opaque', 'jwt'] as const) {
      const client = () => (kind === 'jwt' ? jwtClient : opaqueClient);

      it(`${kind}: the client’s own token is revoked and introspects inactive`, async () => {
        const token = await issueToken(server, client(), { scope: 'read' });
        const other = await issueToken(server, client(), { scope: 'read' });
        const res = await revoke(server, client(), { token });
        expect(res.status, res.text).to.equal(200);
        expect(res.text).to.equal('');
        expect(await introspect(server, token)).to.deep.equal({ active: false });
        // Only that token's grant: the client's other token lives on.
        expect(await introspect(server, other)).to.include({ active: true });
        // Revoking again is still 200.
        expect((await revoke(server, client(), { token })).status).to.equal(200);
      });

      it(`${kind}: another client’s token answers 200 but stays active, and the refusal is logged`, async () => {
        const token = await issueToken(server, client(), { scope: 'read' });
        const intruder = await ccClient(server);
        const logged = server.logs.length;
        const res = await revoke(server, intruder, { token, token_type_hint: 'access_token' });
        expect(res.status, res.text).to.equal(200);
        expect(await introspect(server, token)).to.include({ active: true });
        const refusal = server.logs
          .slice(logged)
          .map((line) => JSON.parse(line))
          .find((line) => /revocation refused/.test(line.msg));
        expect(refusal, 'a log line about the refused revocation').to.not.equal(undefined);
        expect(refusal).to.include({ client_id: intruder.client_id, token_client_id: client().client_id });
      });
    }

    it('an unknown or malformed token answers 200', async () => {
      for (const token of ['ory_at_unknown.token', 'not-a-token', 'a.b.c']) {
        expect((await revoke(server, opaqueClient, { token })).status).to.equal(200);
      }
    });

    it('a missing token is 400 invalid_request', async () => {
      const res = await revoke(server, opaqueClient, { token_type_hint: 'access_token' });
      expectOAuth2Error(res, 400, 'invalid_request');
    });

    it('wrong or unknown client credentials are 401 invalid_client, and nothing is revoked', async () => {
      const token = await issueToken(server, opaqueClient);
      expectOAuth2Error(await revoke(server, opaqueClient, { token }, 'wrong-secret'), 401, 'invalid_client');
      expectOAuth2Error(
        await call(server, 'revokeOAuth2Token', { form: { token }, basic: ['nobody', 'nothing'] }),
        401,
        'invalid_client',
      );
      expect(await introspect(server, token)).to.include({ active: true });
    });

    it('a client_secret_post client revokes with credentials in the body', async () => {
      const postClient = await ccClient(server, { token_endpoint_auth_method: 'client_secret_post' });
      const issued = await call(server, 'oauth2TokenExchange', {
        form: {
          grant_type: 'client_credentials',
          client_id: postClient.client_id,
          client_secret: postClient.client_secret!,
        },
      });
      const token = issued.body.access_token;
      const res = await call(server, 'revokeOAuth2Token', {
        form: { token, client_id: postClient.client_id, client_secret: postClient.client_secret! },
      });
      expect(res.status, res.text).to.equal(200);
      expect(await introspect(server, token)).to.deep.equal({ active: false });
    });
  });

  describe('DELETE /admin/oauth2/tokens?client_id=', () => {
    it('deletes every token of the client, opaque and JWT, and no other client’s', async () => {
      const mixed = await ccClient(server);
      const opaque = await issueToken(server, mixed);
      const patched = await call(server, 'patchOAuth2Client', {
        params: { id: mixed.client_id },
        json: [{ op: 'replace', path: '/access_token_strategy', value: 'jwt' }],
      });
      expect(patched.status, patched.text).to.equal(200);
      const jwt = await issueToken(server, mixed);
      expect(jwt.split('.')).to.have.length(3);
      const bystander = await issueToken(server, opaqueClient);
      expect(await introspect(server, opaque)).to.include({ active: true });
      expect(await introspect(server, jwt)).to.include({ active: true });

      const res = await call(server, 'deleteOAuth2Token', { query: { client_id: mixed.client_id } });
      expect(res.status).to.equal(204);
      expect(res.text).to.equal('');
      expect(await introspect(server, opaque)).to.deep.equal({ active: false });
      expect(await introspect(server, jwt)).to.deep.equal({ active: false });
      expect(await introspect(server, bystander)).to.include({ active: true });
    });

    it('answers 204 for an unknown client and 400 invalid_request without client_id', async () => {
      expect((await call(server, 'deleteOAuth2Token', { query: { client_id: 'nobody' } })).status).to.equal(
        204,
      );
      const missing = await call(server, 'deleteOAuth2Token');
      expect(missing.status).to.equal(400);
      expect(missing.body.error).to.equal('invalid_request');
    });
  });
});

describe('access token strategies: strategies.access_token=jwt as the server default', function () {
  this.timeout(120_000);
  let server: TestServer;

  before(async () => {
    server = await startTestServer({ 'strategies.access_token': 'jwt' });
  });
  after(() => server?.close());

  it('a client without access_token_strategy gets a JWT that verifies against jwks.json', async () => {
    const client = await ccClient(server, { scope: 'read' });
    const token = await issueToken(server, client, { scope: 'read' });
    const { header, payload } = await verifyJwt(server, token);
    expect(header).to.include({ typ: 'at+jwt', alg: 'RS256' });
    expect(payload).to.include({ iss: ISSUER, sub: client.client_id, client_id: client.client_id });
    expect(payload.scp).to.deep.equal(['read']);
    expect(await introspect(server, token)).to.include({ active: true, scope: 'read' });
    expect(
      (
        await call(server, 'revokeOAuth2Token', {
          form: { token },
          basic: [client.client_id, client.client_secret!],
        })
      ).status,
    ).to.equal(200);
    expect(await introspect(server, token)).to.deep.equal({ active: false });
  });

  it('a client with access_token_strategy opaque still gets an opaque token', async () => {
    const client = await ccClient(server, { access_token_strategy: 'opaque' });
    const token = await issueToken(server, client);
    expect(token).to.match(/^ory_at_[\w-]{43}\.[\w-]{43}$/);
    expect(await introspect(server, token)).to.include({ active: true, client_id: client.client_id });
    expect(
      (await call(server, 'deleteOAuth2Token', { query: { client_id: client.client_id } })).status,
    ).to.equal(204);
    expect(await introspect(server, token)).to.deep.equal({ active: false });
  });

  it('every JWT is signed by the same published key of hydra.jwt.access-token', async () => {
    const client = await ccClient(server);
    const a = await verifyJwt(server, await issueToken(server, client));
    const b = await verifyJwt(server, await issueToken(server, client));
    expect(a.header.kid).to.equal(b.header.kid);
    expect(a.payload.jti).not.to.equal(b.payload.jti);
    const set = await call(server, 'getJsonWebKeySet', { params: { set: 'hydra.jwt.access-token' } });
    expect(set.status).to.equal(200);
    expect(set.body.keys.map((k: { kid: string }) => k.kid)).to.include(a.header.kid);
  });
});
