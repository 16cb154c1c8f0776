// introspector() against a real admin API: answers are reused until the token's `exp` or the TTL, whichever
// comes first; inactive answers only briefly; errors never; concurrent checks of one token share one request.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { clientCredentials, createAdminClient, introspector, OAuth2ApiError } from '../../sdk/index.js';
import { sleep } from '../helpers/oauth2.js';
import { loggedRequests } from '../helpers/sdk.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const SECRET = 'introspector-secret-0123456789';
const INTROSPECT = '/admin/oauth2/introspect';

describe('sdk: introspector', () => {
  let server: TestServer;
  const admin = () => createAdminClient({ baseUrl: server.adminUrl });

  async function tokenFor(lifespan?: string, scope = 'read'): Promise<string> {
    const { data } = await admin().POST('/admin/clients', {
      body: { grant_types: ['client_credentials'], client_secret: SECRET, scope: 'read write' },
    });
    if (lifespan) {
      await admin().PUT('/admin/clients/{id}/lifespans', {
        params: { path: { id: data.client_id! } },
        body: { client_credentials_grant_access_token_lifespan: lifespan },
      });
    }
    return clientCredentials({
      tokenUrl: `${server.publicUrl}/oauth2/token`,
      clientId: data.client_id!,
      clientSecret: SECRET,
      scope,
    }).getToken();
  }

  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it('reuses an active answer: the second check makes no request', async () => {
    const token = await tokenFor();
    const check = introspector({ adminUrl: server.adminUrl });
    const before = await loggedRequests(server, INTROSPECT);
    const first = await check.introspect(token);
    expect(first).to.include({ active: true, scope: 'read', token_use: 'access_token' });
    expect(await check.introspect(token)).to.deep.equal(first);
    expect(await loggedRequests(server, INTROSPECT)).to.equal(before + 1);
  });

  it("keeps an answer no longer than the token's exp, even with a long TTL", async () => {
    const token = await tokenFor('2s');
    const check = introspector({ adminUrl: server.adminUrl, cacheTtl: 60_000 });
    const before = await loggedRequests(server, INTROSPECT);
    const first = await check.introspect(token);
    expect(first.active).to.equal(true);
    await check.introspect(token);
    expect(await loggedRequests(server, INTROSPECT)).to.equal(before + 1);
    // Once exp has passed, the cached `active: true` is not used any more: the server is asked again.
    await sleep(first.exp! * 1000 - Date.now() + 50);
    await check.introspect(token);
    expect(await loggedRequests(server, INTROSPECT)).to.equal(before + 2);
    // exp is in whole seconds; by the next second the server says inactive too.
    await sleep((first.exp! + 1) * 1000 - Date.now() + 50);
    expect(await check.introspect(token)).to.deep.equal({ active: false });
  });

  it('keeps an answer no longer than cacheTtl (a revocation is seen after it)', async () => {
    const token = await tokenFor();
    const check = introspector({ adminUrl: server.adminUrl, cacheTtl: 300 });
    expect((await check.introspect(token)).active).to.equal(true);
    await admin().DELETE('/admin/oauth2/tokens', {
      params: { query: { client_id: (await check.introspect(token)).client_id! } },
    });
    // Within the TTL the cached answer stands: the price of caching, bounded by cacheTtl.
    expect((await check.introspect(token)).active).to.equal(true);
    await sleep(350);
    expect(await check.introspect(token)).to.deep.equal({ active: false });
  });

  it('keeps an inactive answer only for inactiveCacheTtl', async () => {
    const check = introspector({ adminUrl: server.adminUrl, inactiveCacheTtl: 200 });
    const before = await loggedRequests(server, INTROSPECT);
    expect(await check.introspect('ory_at_not-a-token')).to.deep.equal({ active: false });
    expect(await check.introspect('ory_at_not-a-token')).to.deep.equal({ active: false });
    expect(await loggedRequests(server, INTROSPECT)).to.equal(before + 1);
    await sleep(250);
    await check.introspect('ory_at_not-a-token');
    expect(await loggedRequests(server, INTROSPECT)).to.equal(before + 2);
  });

  it('caches nothing with cacheTtl 0, and forget() drops a cached answer', async () => {
    const token = await tokenFor();
    const uncached = introspector({ adminUrl: server.adminUrl, cacheTtl: 0 });
    const before = await loggedRequests(server, INTROSPECT);
    await uncached.introspect(token);
    await uncached.introspect(token);
    expect(await loggedRequests(server, INTROSPECT)).to.equal(before + 2);

    const cached = introspector({ adminUrl: server.adminUrl });
    await cached.introspect(token);
    cached.forget(token);
    await cached.introspect(token);
    expect(await loggedRequests(server, INTROSPECT)).to.equal(before + 4);
  });

  it('checks a required scope on the server and caches per scope', async () => {
    const token = await tokenFor(undefined, 'read');
    const check = introspector({ adminUrl: server.adminUrl });
    expect((await check.introspect(token, { scope: 'read' })).active).to.equal(true);
    expect(await check.introspect(token, { scope: 'write' })).to.deep.equal({ active: false });
    expect((await check.introspect(token)).active).to.equal(true);
  });

  it('shares one request among concurrent checks of the same token', async () => {
    const token = await tokenFor();
    const check = introspector({ adminUrl: server.adminUrl });
    const before = await loggedRequests(server, INTROSPECT);
    const answers = await Promise.all(Array.from({ length: 10 }, () => check.introspect(token)));
    expect(answers.every((a) => a.active)).to.equal(true);
    expect(await loggedRequests(server, INTROSPECT)).to.equal(before + 1);
  });

  describe('behind a gateway that fails once', () => {
    let gateway: Server;
    let gatewayUrl: string;
    let failNext = false;
    const authorizations: (string | undefined)[] = [];

    before(async () => {
      // A real HTTP hop in front of the admin API; it answers 503 when told to, and forwards otherwise.
      gateway = createServer(async (req, res) => {
        authorizations.push(req.headers.authorization);
        if (failNext) {
          failNext = false;
          res.writeHead(503, { 'content-type': 'text/html' }).end('<h1>upstream unavailable</h1>');
          return;
        }
        let body = '';
        for await (const chunk of req) body += String(chunk);
        const upstream = await fetch(`${server.adminUrl}${req.url}`, {
          method: req.method,
          headers: { 'content-type': String(req.headers['content-type']) },
          body,
        });
        res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? '' });
        res.end(await upstream.text());
      });
      await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
      gatewayUrl = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`;
    });
    after(() => gateway.close());

    it('never caches an error: the next check asks again and succeeds', async () => {
      const token = await tokenFor();
      const check = introspector({ adminUrl: gatewayUrl, token: 'admin-api-token' });
      failNext = true;
      const err = await check.introspect(token).then(
        () => null,
        (e: unknown) => e as OAuth2ApiError,
      );
      expect(err).to.be.instanceOf(OAuth2ApiError);
      expect(err!.status).to.equal(503);
      expect(err!.body.error_description).to.include('upstream unavailable');
      expect((await check.introspect(token)).active).to.equal(true);
      expect(authorizations.slice(-2)).to.deep.equal(['Bearer admin-api-token', 'Bearer admin-api-token']);
    });
  });
});
