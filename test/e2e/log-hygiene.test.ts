// A full flow against one server, then a look at everything it logged: no client secret, no issued token (nor
// any part of one), no private key material, and one `request` line with a request id for every request.
import { expect } from 'chai';
import { type ApiResponse, call, raw } from '../helpers/api.js';
import { basicHeader, tokenRequest } from '../helpers/oauth2.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi'] as const;
const ADMIN_TOKEN = 'log-admin-bearer-token-0123456789';

describe('log hygiene over a full flow', function () {
  this.timeout(120_000);
  let server: TestServer;
  /** Strings that must never appear in a log line. */
  const secrets = new Set<string>();
  /** Every response of the flow, to match against the request log. */
  const responses: { method: string; path: string; res: ApiResponse }[] = [];

  const track = async (method: string, path: string, promise: Promise<ApiResponse>) => {
    const res = await promise;
    responses.push({ method, path, res });
    return res;
  };

  const addToken = (token: string) => {
    secrets.add(token);
    if (token.startsWith('ory_at_')) {
      const rest = token.slice('ory_at_'.length);
      secrets.add(rest);
      for (const part of rest.split('.')) secrets.add(part);
    } else {
      // A JWT: the whole and its signature (header and payload are public by design).
      secrets.add(token.split('.')[2]!);
    }
  };

  const addJwks = (keys: Record<string, string>[]) => {
    for (const key of keys) {
      for (const member of PRIVATE_MEMBERS) if (key[member]) secrets.add(key[member]);
    }
  };

  before(async () => {
    // Admin authentication, audit events, metrics and a lockout are all part of the run: their logs count too.
    server = await startTestServer({
      'serve.admin.auth.tokens': [ADMIN_TOKEN],
      'rate_limit.lockout.threshold': 3,
      'rate_limit.lockout.delay': '0s',
    });
  });
  after(() => server?.close());

  it('runs the flow', async () => {
    const s = server;
    const secretBasic = 'log-secret-basic+%/=0123456789';
    const secretPost = 'log-secret-post-ABCDEFGHIJKLMN';
    const secretJwt = 'log-secret-jwt-abcdefghijklmn';
    const wrongSecret = 'log-wrong-secret-ZYXWVUTSRQ';
    for (const secret of [secretBasic, secretPost, secretJwt, wrongSecret, ADMIN_TOKEN]) {
      secrets.add(secret);
      secrets.add(encodeURIComponent(secret));
    }

    const create = (json: Record<string, unknown>) =>
      track('POST', '/admin/clients', call(s, 'createOAuth2Client', { json }));
    const basicClient = (
      await create({ grant_types: ['client_credentials'], client_secret: secretBasic, scope: 'read' })
    ).body;
    const postClient = (
      await create({
        grant_types: ['client_credentials'],
        client_secret: secretPost,
        token_endpoint_auth_method: 'client_secret_post',
        scope: 'read',
      })
    ).body;
    const jwtClient = (
      await create({
        grant_types: ['client_credentials'],
        client_secret: secretJwt,
        access_token_strategy: 'jwt',
        scope: 'read',
      })
    ).body;
    for (const client of [basicClient, postClient, jwtClient]) {
      secrets.add(client.registration_access_token);
    }
    secrets.add(basicHeader(basicClient.client_id, secretBasic));
    secrets.add(basicHeader(jwtClient.client_id, secretJwt));
    secrets.add(basicHeader(basicClient.client_id, wrongSecret));

    // Tokens: opaque with Basic, opaque with the form, JWT.
    const token = (form: Record<string, string>, auth?: { id: string; secret: string }) =>
      track('POST', '/oauth2/token', tokenRequest(s, { grant_type: 'client_credentials', ...form }, auth));
    const opaque = (await token({ scope: 'read' }, { id: basicClient.client_id, secret: secretBasic })).body
      .access_token;
    const opaquePost = (
      await token({ scope: 'read', client_id: postClient.client_id, client_secret: secretPost })
    ).body.access_token;
    const jwt = (await token({ scope: 'read' }, { id: jwtClient.client_id, secret: secretJwt })).body
      .access_token;
    for (const t of [opaque, opaquePost, jwt]) {
      expect(t).to.be.a('string');
      addToken(t);
    }

    // Introspection, including a scope that was not granted.
    for (const t of [opaque, opaquePost, jwt]) {
      const res = await track(
        'POST',
        '/admin/oauth2/introspect',
        call(s, 'introspectOAuth2Token', { form: { token: t } }),
      );
      expect(res.body.active).to.equal(true);
    }
    await track(
      'POST',
      '/admin/oauth2/introspect',
      call(s, 'introspectOAuth2Token', { form: { token: jwt, scope: 'write' } }),
    );

    // Failed authentication: wrong secret with Basic and with the form; unknown client.
    const failed = await token({}, { id: basicClient.client_id, secret: wrongSecret });
    expect(failed.status).to.equal(401);
    expect((await token({ client_id: postClient.client_id, client_secret: wrongSecret })).status).to.equal(
      401,
    );
    expect((await token({}, { id: 'unknown-client', secret: wrongSecret })).status).to.equal(401);

    // Revocation: another client's token (logged refusal), then the client's own.
    const revoke = (form: Record<string, string>, basic: [string, string]) =>
      track('POST', '/oauth2/revoke', call(s, 'revokeOAuth2Token', { form, basic }));
    expect((await revoke({ token: opaque }, [jwtClient.client_id, secretJwt])).status).to.equal(200);
    expect((await revoke({ token: jwt }, [jwtClient.client_id, secretJwt])).status).to.equal(200);
    expect((await revoke({ token: opaque }, [basicClient.client_id, wrongSecret])).status).to.equal(401);

    // A token in a query string and a Bearer header: userinfo reads both (OIDC Core §5.3.1), and neither may
    // reach the request log.
    const stray = await track(
      'GET',
      '/userinfo',
      raw(s.publicUrl, `/userinfo?access_token=${encodeURIComponent(opaquePost)}`, {
        headers: { authorization: `Bearer ${opaquePost}` },
      }),
    );
    expect(stray.status).to.equal(200);
    const strayUnknown = await track(
      'GET',
      '/oauth2/nowhere',
      raw(s.publicUrl, `/oauth2/nowhere?access_token=${encodeURIComponent(opaquePost)}`, {
        headers: { authorization: `Bearer ${opaquePost}` },
      }),
    );
    expect(strayUnknown.status).to.equal(404);

    // Key sets: a generated one, the access-token signing key, and a PATCH that rotates a client secret.
    const created = await track(
      'POST',
      '/admin/keys/log-hygiene-set',
      call(s, 'createJsonWebKeySet', {
        params: { set: 'log-hygiene-set' },
        json: { alg: 'RS256', use: 'sig', kid: '' },
      }),
    );
    expect(created.status).to.equal(201);
    addJwks(created.body.keys);
    const ec = await track(
      'POST',
      '/admin/keys/log-hygiene-ec',
      call(s, 'createJsonWebKeySet', {
        params: { set: 'log-hygiene-ec' },
        json: { alg: 'ES256', use: 'sig', kid: '' },
      }),
    );
    addJwks(ec.body.keys);
    const signing = await track(
      'GET',
      '/admin/keys/hydra.jwt.access-token',
      call(s, 'getJsonWebKeySet', { params: { set: 'hydra.jwt.access-token' } }),
    );
    expect(signing.body.keys[0].d).to.be.a('string');
    addJwks(signing.body.keys);

    const rotated = await track(
      'PATCH',
      `/admin/clients/${basicClient.client_id}`,
      call(s, 'patchOAuth2Client', {
        params: { id: basicClient.client_id },
        json: [{ op: 'replace', path: '/client_secret', value: 'log-rotated-secret-0123456789' }],
      }),
    );
    expect(rotated.status).to.equal(200);
    secrets.add('log-rotated-secret-0123456789');

    await track(
      'DELETE',
      '/admin/oauth2/tokens',
      call(s, 'deleteOAuth2Token', { query: { client_id: postClient.client_id } }),
    );
    // A wrong admin token, and a client locked out after repeated failures (the right secret then refused).
    const badAdmin = await track(
      'GET',
      '/admin/clients',
      raw(s.adminUrl, '/admin/clients', {
        headers: { authorization: 'Bearer log-wrong-admin-token-abcdef' },
      }),
    );
    expect(badAdmin.status).to.equal(401);
    secrets.add('log-wrong-admin-token-abcdef');
    for (let i = 0; i < 3; i++) await token({}, { id: jwtClient.client_id, secret: wrongSecret });
    expect((await token({}, { id: jwtClient.client_id, secret: secretJwt })).status).to.equal(429);

    // The metrics page must not leak either.
    const metrics = await track('GET', '/admin/metrics/prometheus', call(s, 'getPrometheusMetrics'));
    expect(metrics.status).to.equal(200);
    for (const secret of secrets)
      expect(metrics.text.includes(secret), 'metrics hold a secret').to.equal(false);
    expect(server.logs.some((l) => l.includes('"audit":true'))).to.equal(true);
    expect(secrets.size).to.be.above(30);
  });

  it('no log line contains a client secret, a token or any part of one, or a private key member', () => {
    expect(server.logs.length).to.be.above(responses.length);
    for (const line of server.logs) {
      for (const secret of secrets) {
        expect(
          line.includes(secret),
          `a log line contains a secret (${secret.slice(0, 12)}…): ${line}`,
        ).to.equal(false);
      }
    }
  });

  it('every line is JSON, and every request has its `request` line with its request id', async () => {
    // The request line is written when the response finishes, which can trail the client's read slightly.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const lines = server.logs.map((line) => JSON.parse(line) as Record<string, unknown>);
    const requestLines = lines.filter((line) => line.msg === 'request');
    const ids = new Set<string>();
    for (const { method, path, res } of responses) {
      const id = res.headers.get('x-request-id');
      expect(id, `${method} ${path} answers an X-Request-Id`).to.be.a('string').that.is.not.empty;
      expect(ids.has(id!), 'request ids are unique').to.equal(false);
      ids.add(id!);
      const line = requestLines.find((l) => l.request_id === id);
      expect(line, `a request log line for ${method} ${path}`).to.not.equal(undefined);
      expect(line).to.include({ method, path, status: res.status });
    }
    // Lines written while handling a request (errors, the refused revocation) carry an id too.
    for (const line of lines.filter((l) => l.level === 'warning' || l.level === 'error')) {
      expect(line, JSON.stringify(line)).to.have.property('request_id');
    }
  });
});
