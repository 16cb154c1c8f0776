// createAdminClient / createPublicClient against a real server: every operation family typed and working, the
// three form endpoints sent as forms, client authentication encoded per RFC 6749 §2.3.1, and failures surfacing
// as OAuth2ApiError (an answer) or NetworkError (no answer).
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Socket } from 'node:net';
import { expect } from 'chai';
import {
  basicAuthorization,
  createAdminClient,
  createPublicClient,
  NetworkError,
  OAuth2ApiError,
} from '../../sdk/index.js';
import { recordingFetch } from '../helpers/sdk.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

describe('sdk: createAdminClient and createPublicClient', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it('creates, reads, lists, replaces, patches and deletes a client with typed calls', async () => {
    const rec = recordingFetch();
    const admin = createAdminClient({ baseUrl: server.adminUrl, fetch: rec.fetch });
    const created = await admin.POST('/admin/clients', {
      body: { client_name: 'sdk-crud', grant_types: ['client_credentials'], scope: 'read write' },
    });
    expect(created.response.status).to.equal(201);
    const id = created.data.client_id!;
    expect(created.data.client_secret).to.be.a('string').with.length.greaterThan(5);

    const got = await admin.GET('/admin/clients/{id}', { params: { path: { id } } });
    expect(got.data.client_name).to.equal('sdk-crud');
    expect(got.data).not.to.have.property('client_secret');

    const list = await admin.GET('/admin/clients', { params: { query: { client_name: 'sdk-crud' } } });
    expect(list.data.map((c) => c.client_id)).to.deep.equal([id]);

    const replaced = await admin.PUT('/admin/clients/{id}', {
      params: { path: { id } },
      body: { client_name: 'sdk-crud-2', grant_types: ['client_credentials'], scope: 'read' },
    });
    expect(replaced.data.scope).to.equal('read');

    const patched = await admin.PATCH('/admin/clients/{id}', {
      params: { path: { id } },
      body: [{ op: 'replace', path: '/client_name', value: 'sdk-crud-3' }],
    });
    expect(patched.data.client_name).to.equal('sdk-crud-3');

    const lifespans = await admin.PUT('/admin/clients/{id}/lifespans', {
      params: { path: { id } },
      body: { client_credentials_grant_access_token_lifespan: '90m' },
    });
    expect(lifespans.data.client_credentials_grant_access_token_lifespan).to.equal('1h30m0s');

    const deleted = await admin.DELETE('/admin/clients/{id}', { params: { path: { id } } });
    expect(deleted.response.status).to.equal(204);
    expect(rec.sent).to.deep.equal([
      'POST /admin/clients',
      `GET /admin/clients/${id}`,
      'GET /admin/clients',
      `PUT /admin/clients/${id}`,
      `PATCH /admin/clients/${id}`,
      `PUT /admin/clients/${id}/lifespans`,
      `DELETE /admin/clients/${id}`,
    ]);
  });

  it('reaches keys, version and health on the admin port and discovery on the public port', async () => {
    const admin = createAdminClient({ baseUrl: server.adminUrl, fetch: recordingFetch().fetch });
    const publicApi = createPublicClient({ baseUrl: server.publicUrl, fetch: recordingFetch().fetch });
    const set = await admin.POST('/admin/keys/{set}', {
      params: { path: { set: 'sdk-keys' } },
      body: { alg: 'ES256', use: 'sig', kid: 'sdk-k1' },
    });
    expect(set.data.keys?.[0]?.kid).to.equal('sdk-k1');
    expect((await admin.GET('/admin/version')).data.version).to.be.a('string');
    expect((await admin.GET('/health/ready')).data.status).to.equal('ok');
    const discovery = await publicApi.GET('/.well-known/openid-configuration');
    expect(discovery.data.token_endpoint).to.match(/\/oauth2\/token$/);
    const jwks = await publicApi.GET('/.well-known/jwks.json');
    expect(jwks.data.keys).to.be.an('array');
  });

  it('sends the token, revocation and introspection bodies as forms, with Basic auth form-encoded', async () => {
    const admin = createAdminClient({ baseUrl: server.adminUrl });
    // An id and secret with characters Basic auth breaks on unless they are form-encoded first.
    const clientId = 'sdk: odd+id%/é';
    const clientSecret = 'a secret: with+plus%25 and é';
    await admin.POST('/admin/clients', {
      body: {
        client_id: clientId,
        client_secret: clientSecret,
        grant_types: ['client_credentials'],
        scope: 'read write',
        audience: ['https://api.example/a', 'https://api.example/b'],
      },
    });
    const rec = recordingFetch();
    const publicApi = createPublicClient({
      baseUrl: server.publicUrl,
      fetch: rec.fetch,
      client: { clientId, clientSecret },
    });
    const token = await publicApi.POST('/oauth2/token', {
      body: {
        grant_type: 'client_credentials',
        scope: 'read',
        audience: ['https://api.example/a', 'https://api.example/b'],
      },
    });
    expect(token.data.token_type).to.equal('bearer');
    expect(token.data.scope).to.equal('read');
    const sent = rec.requests[0]!;
    expect(sent.headers.get('content-type')).to.equal('application/x-www-form-urlencoded');
    expect(sent.headers.get('authorization')).to.equal(basicAuthorization(clientId, clientSecret));
    expect(new URLSearchParams(sent.body).getAll('audience')).to.deep.equal([
      'https://api.example/a',
      'https://api.example/b',
    ]);

    const introspected = await admin.POST('/admin/oauth2/introspect', {
      body: { token: token.data.access_token },
    });
    expect(introspected.data.active).to.equal(true);
    expect(introspected.data.client_id).to.equal(clientId);
    expect(introspected.data.aud).to.deep.equal(['https://api.example/a', 'https://api.example/b']);

    const revoked = await publicApi.POST('/oauth2/revoke', { body: { token: token.data.access_token } });
    expect(revoked.response.status).to.equal(200);
    expect(rec.requests[1]!.body).to.equal(`token=${encodeURIComponent(token.data.access_token)}`);
    const after = await admin.POST('/admin/oauth2/introspect', { body: { token: token.data.access_token } });
    expect(after.data).to.deep.equal({ active: false });
  });

  it('authenticates with client_secret_post when asked to', async () => {
    const admin = createAdminClient({ baseUrl: server.adminUrl });
    const { data: client } = await admin.POST('/admin/clients', {
      body: {
        grant_types: ['client_credentials'],
        token_endpoint_auth_method: 'client_secret_post',
        client_secret: 'post-secret-0123456789',
      },
    });
    const rec = recordingFetch();
    const publicApi = createPublicClient({
      baseUrl: server.publicUrl,
      fetch: rec.fetch,
      client: {
        clientId: client.client_id!,
        clientSecret: 'post-secret-0123456789',
        method: 'client_secret_post',
      },
    });
    const token = await publicApi.POST('/oauth2/token', { body: { grant_type: 'client_credentials' } });
    expect(token.data.access_token).to.match(/^ory_at_/);
    expect(rec.requests[0]!.headers.has('authorization')).to.equal(false);
    expect(new URLSearchParams(rec.requests[0]!.body).get('client_id')).to.equal(client.client_id);
  });

  it('deletes the access tokens of a client (deleteOAuth2Token)', async () => {
    const admin = createAdminClient({ baseUrl: server.adminUrl });
    const { data: client } = await admin.POST('/admin/clients', {
      body: { grant_types: ['client_credentials'], client_secret: 'del-secret-0123456789' },
    });
    const publicApi = createPublicClient({
      baseUrl: server.publicUrl,
      client: { clientId: client.client_id!, clientSecret: 'del-secret-0123456789' },
    });
    const { data: token } = await publicApi.POST('/oauth2/token', {
      body: { grant_type: 'client_credentials' },
    });
    const res = await admin.DELETE('/admin/oauth2/tokens', {
      params: { query: { client_id: client.client_id! } },
    });
    expect(res.response.status).to.equal(204);
    const { data } = await admin.POST('/admin/oauth2/introspect', { body: { token: token.access_token } });
    expect(data.active).to.equal(false);
  });

  it('throws OAuth2ApiError with the status and the parsed error body', async () => {
    const admin = createAdminClient({ baseUrl: server.adminUrl });
    const missing = await admin
      .GET('/admin/clients/{id}', { params: { path: { id: 'no-such-client' } } })
      .then(
        () => null,
        (err: unknown) => err,
      );
    expect(missing).to.be.instanceOf(OAuth2ApiError);
    const err = missing as OAuth2ApiError;
    expect(err.status).to.equal(404);
    expect(err.body.error).to.equal('Unable to locate the resource');
    expect(err.request).to.equal(`GET ${server.adminUrl}/admin/clients/no-such-client`);

    const publicApi = createPublicClient({
      baseUrl: server.publicUrl,
      client: { clientId: 'nobody', clientSecret: 'wrong-secret' },
    });
    const refused = await publicApi
      .POST('/oauth2/token', { body: { grant_type: 'client_credentials' } })
      .then(
        () => null,
        (e: unknown) => e as OAuth2ApiError,
      );
    expect(refused).to.be.instanceOf(OAuth2ApiError);
    expect(refused!.status).to.equal(401);
    expect(refused!.error).to.equal('invalid_client');
    expect(refused!.errorDescription).to.be.a('string').that.is.not.empty;
    expect(refused!.message).to.match(/^invalid_client: .+ \(HTTP 401\)$/);
  });

  it('throws NetworkError (not OAuth2ApiError) when nothing answers, keeping the cause', async () => {
    const port = await new Promise<number>((resolve) => {
      const srv = createServer().listen(0, '127.0.0.1', () => {
        const { port } = srv.address() as { port: number };
        srv.close(() => resolve(port));
      });
    });
    const admin = createAdminClient({ baseUrl: `http://127.0.0.1:${port}` });
    const err = await admin.GET('/admin/version').then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(NetworkError);
    expect(err).not.to.be.instanceOf(OAuth2ApiError);
    expect((err as NetworkError).message).to.include('ECONNREFUSED');
    expect((err as NetworkError).cause).to.be.instanceOf(TypeError);
  });

  it('sends the admin bearer token and extra headers on every admin request', async () => {
    const rec = recordingFetch();
    const admin = createAdminClient({
      baseUrl: server.adminUrl,
      fetch: rec.fetch,
      token: 'an-admin-token',
      headers: { 'x-request-id': 'sdk-test-1' },
    });
    const res = await admin.GET('/admin/version');
    expect(res.response.headers.get('x-request-id')).to.equal('sdk-test-1');
    expect(rec.requests[0]!.headers.get('authorization')).to.equal('Bearer an-admin-token');
  });

  describe('request policy: retries, timeout and a client-wide signal', () => {
    const freePort = () =>
      new Promise<number>((resolve) => {
        const srv = createServer().listen(0, '127.0.0.1', () => {
          const { port } = srv.address() as { port: number };
          srv.close(() => resolve(port));
        });
      });

    it('retries a refused connection until the server is up, resending the body', async () => {
      const port = await freePort();
      const bodies: string[] = [];
      const http = createHttpServer((req, res) => {
        let body = '';
        req.on('data', (d) => {
          body += d;
        });
        req.on('end', () => {
          bodies.push(body);
          res.setHeader('content-type', 'application/json');
          res.end(body);
        });
      });
      setTimeout(() => http.listen(port, '127.0.0.1'), 100);
      try {
        const admin = createAdminClient({
          baseUrl: `http://127.0.0.1:${port}`,
          retries: 8,
          retryDelayMs: 25,
        });
        const { data } = await admin.POST('/admin/clients', { body: { client_name: 'retried' } });
        expect(data).to.deep.equal({ client_name: 'retried' });
        expect(bodies.map((b) => JSON.parse(b))).to.deep.equal([{ client_name: 'retried' }]);
      } finally {
        http.close();
      }
    });

    it('does not retry by default', async () => {
      const port = await freePort();
      const admin = createAdminClient({ baseUrl: `http://127.0.0.1:${port}` });
      const err = await admin.GET('/admin/version').catch((e: unknown) => e);
      expect(err).to.be.instanceOf(NetworkError);
    });

    describe('against a server that accepts and never answers', () => {
      const sockets: Socket[] = [];
      const blackhole = createServer((s) => sockets.push(s.on('error', () => {})));
      let url = '';
      before(async () => {
        await new Promise<void>((r) => blackhole.listen(0, '127.0.0.1', r));
        url = `http://127.0.0.1:${(blackhole.address() as { port: number }).port}`;
      });
      after(() => {
        for (const s of sockets) s.destroy();
        blackhole.close();
      });

      it('gives up after timeoutMs with a TimeoutError', async () => {
        const admin = createAdminClient({ baseUrl: url, timeoutMs: 100 });
        const err = await admin.GET('/admin/version').catch((e: unknown) => e);
        expect((err as Error).name).to.equal('TimeoutError');
      });

      it('cancels every request when the client-wide signal aborts, with its reason', async () => {
        const stop = new AbortController();
        const admin = createAdminClient({ baseUrl: url, signal: stop.signal });
        const pending = admin.GET('/admin/version').catch((e: unknown) => e);
        setTimeout(() => stop.abort(new Error('shutting down')), 50);
        const err = (await pending) as Error;
        expect(err.message).to.include('shutting down');
      });
    });
  });
});
