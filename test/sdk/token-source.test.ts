// clientCredentials() against a real server: the token is cached (a second getToken makes no request, seen by
// both the client and the server's request log), 20 concurrent callers share one request, errors are not
// cached, tokens are replaced before they expire, and its fetch replaces a revoked token after one 401.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import {
  bearerToken,
  clientCredentials,
  createAdminClient,
  createPublicClient,
  introspector,
  OAuth2ApiError,
} from '../../sdk/index.js';
import { sleep } from '../helpers/oauth2.js';
import { loggedRequests, recordingFetch } from '../helpers/sdk.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const SECRET = 'token-source-secret-0123456789';

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function readBody(req: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) body += String(chunk);
  return body;
}

describe('sdk: clientCredentials token source', () => {
  let server: TestServer;
  let tokenUrl: string;
  const admin = () => createAdminClient({ baseUrl: server.adminUrl });

  async function newClient(extra: Record<string, unknown> = {}) {
    const { data } = await admin().POST('/admin/clients', {
      body: { grant_types: ['client_credentials'], client_secret: SECRET, scope: 'read write', ...extra },
    });
    return data.client_id!;
  }

  before(async () => {
    // The issuer must be the server's real public URL for discovery, so pick the port first.
    const probe = createServer();
    const base = await listen(probe);
    await new Promise((resolve) => probe.close(resolve));
    const port = Number(new URL(base).port);
    server = await startTestServer({ 'serve.public.port': port, 'urls.self.issuer': `${base}/` });
    tokenUrl = `${server.publicUrl}/oauth2/token`;
  });
  after(() => server.close());

  it('caches the token: a second getToken() makes no HTTP request', async () => {
    const clientId = await newClient();
    const rec = recordingFetch();
    const source = clientCredentials({
      tokenUrl,
      clientId,
      clientSecret: SECRET,
      scope: ['read'],
      fetch: rec.fetch,
    });
    const before = await loggedRequests(server, '/oauth2/token');
    const first = await source.getToken();
    const second = await source.getToken();
    expect(second).to.equal(first);
    expect(rec.sent).to.deep.equal(['POST /oauth2/token']);
    expect(await loggedRequests(server, '/oauth2/token')).to.equal(before + 1);
    const info = await admin().POST('/admin/oauth2/introspect', { body: { token: first } });
    expect(info.data).to.include({ active: true, client_id: clientId, scope: 'read' });
    expect((await source.getTokenResponse()).expires_in).to.be.within(3590, 3600);
  });

  it('shares one token request among 20 concurrent getToken() calls', async () => {
    const clientId = await newClient();
    const rec = recordingFetch();
    const source = clientCredentials({ tokenUrl, clientId, clientSecret: SECRET, fetch: rec.fetch });
    const before = await loggedRequests(server, '/oauth2/token');
    const tokens = await Promise.all(Array.from({ length: 20 }, () => source.getToken()));
    expect(new Set(tokens).size).to.equal(1);
    expect(rec.sent).to.deep.equal(['POST /oauth2/token']);
    expect(await loggedRequests(server, '/oauth2/token')).to.equal(before + 1);
  });

  it('asks for a new token after invalidate()', async () => {
    const clientId = await newClient();
    const rec = recordingFetch();
    const source = clientCredentials({ tokenUrl, clientId, clientSecret: SECRET, fetch: rec.fetch });
    const first = await source.getToken();
    source.invalidate();
    const second = await source.getToken();
    expect(second).not.to.equal(first);
    expect(rec.sent).to.have.length(2);
  });

  it('replaces a token shortly before it expires (a 2 s client lifespan)', async () => {
    const clientId = await newClient();
    await admin().PUT('/admin/clients/{id}/lifespans', {
      params: { path: { id: clientId } },
      body: { client_credentials_grant_access_token_lifespan: '2s' },
    });
    const rec = recordingFetch();
    const source = clientCredentials({ tokenUrl, clientId, clientSecret: SECRET, fetch: rec.fetch });
    const first = await source.getToken();
    expect((await source.getTokenResponse()).expires_in).to.be.at.most(2);
    await sleep(500);
    expect(await source.getToken()).to.equal(first);
    await sleep(1500);
    const later = await source.getToken();
    expect(later).not.to.equal(first);
    expect(rec.sent).to.have.length(2);
  });

  it('rejects every waiting caller with OAuth2ApiError and does not cache the failure', async () => {
    const clientId = await newClient();
    const rec = recordingFetch();
    const source = clientCredentials({
      tokenUrl,
      clientId,
      clientSecret: 'not-the-secret',
      fetch: rec.fetch,
    });
    const failures = await Promise.all(
      [1, 2, 3].map(() =>
        source.getToken().then(
          () => null,
          (err: unknown) => err as OAuth2ApiError,
        ),
      ),
    );
    for (const err of failures) {
      expect(err).to.be.instanceOf(OAuth2ApiError);
      expect(err!.status).to.equal(401);
      expect(err!.error).to.equal('invalid_client');
    }
    expect(rec.sent).to.have.length(1);
    await source.getToken().catch(() => undefined);
    expect(rec.sent).to.have.length(2);
  });

  it('sends scope and audience and authenticates with client_secret_post when configured', async () => {
    const clientId = await newClient({
      token_endpoint_auth_method: 'client_secret_post',
      audience: ['https://orders.example', 'https://billing.example'],
    });
    const rec = recordingFetch();
    const source = clientCredentials({
      tokenUrl,
      clientId,
      clientSecret: SECRET,
      authMethod: 'client_secret_post',
      scope: 'read write',
      audience: ['https://orders.example', 'https://billing.example'],
      fetch: rec.fetch,
    });
    const token = await source.getToken();
    const form = new URLSearchParams(rec.requests[0]!.body);
    expect(form.get('client_id')).to.equal(clientId);
    expect(rec.requests[0]!.headers.has('authorization')).to.equal(false);
    const info = await admin().POST('/admin/oauth2/introspect', { body: { token } });
    expect(info.data.scope).to.equal('read write');
    expect(info.data.aud).to.deep.equal(['https://orders.example', 'https://billing.example']);
  });

  it('finds the token endpoint from the issuer (RFC 8414 metadata) and discovers only once', async () => {
    const clientId = await newClient();
    const rec = recordingFetch();
    const source = clientCredentials({
      issuer: server.config.issuer,
      clientId,
      clientSecret: SECRET,
      fetch: rec.fetch,
    });
    await source.getToken();
    source.invalidate();
    await source.getToken();
    expect(rec.sent).to.deep.equal([
      'GET /.well-known/oauth-authorization-server',
      'POST /oauth2/token',
      'POST /oauth2/token',
    ]);
  });

  it('falls back to OpenID Connect discovery when RFC 8414 metadata is missing', async () => {
    const clientId = await newClient();
    // An issuer with a path, fronted by a proxy that serves only `<issuer>/.well-known/openid-configuration`.
    const proxy = createServer(async (req, res) => {
      if (req.url !== '/tenant/.well-known/openid-configuration') {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not_found"}');
        return;
      }
      const upstream = await fetch(`${server.publicUrl}/.well-known/openid-configuration`);
      res.writeHead(200, { 'content-type': 'application/json' }).end(await upstream.text());
    });
    const base = await listen(proxy);
    try {
      const rec = recordingFetch({ checkContract: false });
      const source = clientCredentials({
        issuer: `${base}/tenant`,
        clientId,
        clientSecret: SECRET,
        fetch: rec.fetch,
      });
      expect(await source.getToken()).to.match(/^ory_at_/);
      expect(rec.sent).to.deep.equal([
        'GET /.well-known/oauth-authorization-server/tenant',
        'GET /tenant/.well-known/openid-configuration',
        'POST /oauth2/token',
      ]);
    } finally {
      proxy.close();
    }
  });

  describe('fetch() against a resource server that introspects with the SDK', () => {
    let resource: Server;
    let resourceUrl: string;
    const seen: { token: string | undefined; body: string }[] = [];

    before(async () => {
      // No caching here, so a revoked token is refused at once (the introspector tests cover the cache).
      const check = introspector({ adminUrl: server.adminUrl, cacheTtl: 0 });
      resource = createServer(async (req, res) => {
        const token = bearerToken(req.headers.authorization);
        seen.push({ token, body: await readBody(req) });
        const info = token ? await check.introspect(token) : { active: false };
        if (!info.active) {
          res.writeHead(401, { 'www-authenticate': 'Bearer error="invalid_token"' }).end();
          return;
        }
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ client: info.client_id }));
      });
      resourceUrl = await listen(resource);
    });
    after(() => resource.close());
    beforeEach(() => {
      seen.length = 0;
    });

    it('sends the bearer token, and after a revocation retries once with a new token', async () => {
      const clientId = await newClient();
      // The resource server is not part of the contract, so responses are not checked against it here.
      const rec = recordingFetch({ checkContract: false });
      const source = clientCredentials({ tokenUrl, clientId, clientSecret: SECRET, fetch: rec.fetch });
      const first = await source.fetch(`${resourceUrl}/orders`);
      expect(first.status).to.equal(200);
      expect(await first.json()).to.deep.equal({ client: clientId });
      const revokedToken = await source.getToken();

      const publicApi = createPublicClient({
        baseUrl: server.publicUrl,
        client: { clientId, clientSecret: SECRET },
      });
      await publicApi.POST('/oauth2/revoke', { body: { token: revokedToken } });

      const second = await source.fetch(`${resourceUrl}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"item":42}',
      });
      expect(second.status).to.equal(200);
      const replacement = await source.getToken();
      expect(replacement).not.to.equal(revokedToken);
      expect(seen.map((s) => s.token)).to.deep.equal([revokedToken, revokedToken, replacement]);
      // The retried request carries the same body.
      expect(seen.slice(1).map((s) => s.body)).to.deep.equal(['{"item":42}', '{"item":42}']);
      expect(rec.sent.filter((s) => s === 'POST /oauth2/token')).to.have.length(2);
    });

    it('retries only once: a second 401 is returned to the caller', async () => {
      const clientId = await newClient();
      // Every token this source receives is deleted on the server before the source can use it.
      const deleteTokens = () =>
        admin().DELETE('/admin/oauth2/tokens', { params: { query: { client_id: clientId } } });
      const failing = clientCredentials({
        tokenUrl,
        clientId,
        clientSecret: SECRET,
        fetch: async (input, init) => {
          const url = new URL(input instanceof Request ? input.url : String(input));
          const response = await fetch(input, init);
          if (url.pathname === '/oauth2/token') await deleteTokens();
          return response;
        },
      });
      const response = await failing.fetch(`${resourceUrl}/orders`);
      expect(response.status).to.equal(401);
      expect(seen).to.have.length(2);
    });
  });
});
