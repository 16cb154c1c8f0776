// Dynamic client registration (RFC 7591) and management (RFC 7592) at /oauth2/register, against a real server
// with plain fetch: Hydra's round trip, refusals and error bodies, the registration token rotating on PUT, the
// per-address limits, and openid-client's own `dynamicClientRegistration`. Every response is also checked
// against openapi.yaml.
import { expect } from 'chai';
import * as oidc from 'openid-client';
import { loadConfig } from '../../server/config.js';
import { contractProblem } from '../helpers/api.js';
import { freePort } from '../helpers/restartable-postgres.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

interface Options {
  token?: string;
  json?: unknown;
  /** The caller's address, as a trusted proxy (127.0.0.1) reports it. */
  from?: string;
  headers?: Record<string, string>;
}

async function send(base: string, method: string, path: string, options: Options = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  if (options.json !== undefined) headers['content-type'] = 'application/json';
  if (options.from !== undefined) headers['x-forwarded-for'] = options.from;
  const url = new URL(path, base).href;
  const response = await fetch(url, {
    method,
    headers,
    body: options.json === undefined ? undefined : JSON.stringify(options.json),
  });
  const text = await response.text();
  const body = text === '' ? undefined : JSON.parse(text);
  const problem = contractProblem(
    method,
    url,
    response.status,
    response.headers.get('content-type') ?? undefined,
    body,
  );
  expect(problem, `${method} ${path} ${response.status} ${text.slice(0, 300)}`).to.equal(null);
  return { status: response.status, headers: response.headers, body };
}

/** client_credentials with HTTP Basic; the status and body. */
async function clientCredentials(server: TestServer, id: string, secret: string, scope = 'read') {
  const response = await fetch(new URL('/oauth2/token', server.publicUrl), {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`,
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope }).toString(),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const UNAUTHORIZED = {
  error: 'The request could not be authorized',
  error_description: 'The requested OAuth 2.0 client does not exist or you provided incorrect credentials.',
};
const DISABLED = {
  error: 'The requested resource could not be found',
  error_description: 'Dynamic registration is not enabled.',
};
const METADATA_REFUSED = {
  error: 'invalid_client_metadata',
  error_description:
    "The value of one of the Client Metadata fields is invalid and the server has rejected this request. Note that an Authorization Server MAY choose to substitute a valid value for any requested parameter of a Client's Metadata. 'metadata' cannot be set for dynamic client registration",
};
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const MACHINE = { client_name: 'dcr machine', grant_types: ['client_credentials'], scope: 'read write' };

describe('dynamic client registration (RFC 7591/7592)', function () {
  this.timeout(60_000);

  describe('disabled (the default)', () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer();
    });
    after(() => server?.close());

    it('is off unless oidc.dynamic_client_registration.enabled is set, and Hydra names the default scope', () => {
      const config = loadConfig({ env: {}, dev: true });
      expect(config.dynamicRegistration).to.include({
        enabled: false,
        defaultScope: 'offline_access offline openid',
      });
      const fromEnv = loadConfig({
        env: {
          OIDC_DYNAMIC_CLIENT_REGISTRATION_ENABLED: 'true',
          OIDC_DYNAMIC_CLIENT_REGISTRATION_DEFAULT_SCOPE: 'openid,email',
        },
        dev: true,
      });
      expect(fromEnv.dynamicRegistration).to.include({ enabled: true, defaultScope: 'openid email' });
    });

    it('answers every /oauth2/register operation with Hydra 404 body, and creates nothing', async () => {
      const created = await send(server.publicUrl, 'POST', '/oauth2/register', { json: MACHINE });
      expect(created.status).to.equal(404);
      expect(created.body).to.deep.equal(DISABLED);
      // A client made on the admin port has a registration token; it opens nothing while registration is off.
      const admin = await send(server.adminUrl, 'POST', '/admin/clients', { json: MACHINE });
      const path = `/oauth2/register/${admin.body.client_id}`;
      const token = admin.body.registration_access_token as string;
      for (const [method, json] of [['GET'], ['PUT', MACHINE], ['DELETE']] as const) {
        const answer = await send(server.publicUrl, method, path, { token, json });
        expect(answer.status, method).to.equal(404);
        expect(answer.body, method).to.deep.equal(DISABLED);
      }
      expect((await send(server.adminUrl, 'GET', `/admin/clients/${admin.body.client_id}`)).status).to.equal(
        200,
      );
      const discovery = await send(server.publicUrl, 'GET', '/.well-known/openid-configuration');
      expect(discovery.body).not.to.have.property('registration_endpoint');
    });
  });

  describe('enabled', () => {
    let server: TestServer;
    let issuer: string;
    const ADMIN_TOKEN = 'an-admin-token-of-some-length';
    before(async () => {
      const port = await freePort();
      issuer = `http://127.0.0.1:${port}/`;
      server = await startTestServer({
        'urls.self.issuer': issuer,
        'serve.public.port': port,
        'oidc.dynamic_client_registration.enabled': true,
        'serve.admin.auth.tokens': [ADMIN_TOKEN],
        // Tests vary the caller's address through X-Forwarded-For.
        'serve.trusted_proxies': ['127.0.0.1'],
      });
    });
    after(() => server?.close());

    let n = 0;
    /** A fresh caller address per test, so the per-address limits never couple two tests. */
    const address = () => `198.51.100.${++n}`;
    const register = (json: unknown, from = address()) =>
      send(server.publicUrl, 'POST', '/oauth2/register', { json, from });
    const manage = (
      method: string,
      id: string,
      token: string | undefined,
      json?: unknown,
      from = address(),
    ) => send(server.publicUrl, method, `/oauth2/register/${encodeURIComponent(id)}`, { token, json, from });

    it('round trip: register, get a token, read, replace (the token rotates), delete', async () => {
      const created = await register({ ...MACHINE, client_id: 'chosen-by-the-caller' });
      expect(created.status).to.equal(201);
      const client = created.body;
      expect(client.client_id).to.match(UUID).and.not.equal('chosen-by-the-caller');
      expect(created.headers.get('location')).to.equal(`admin/clients/${client.client_id}`);
      expect(created.headers.get('cache-control')).to.equal('no-store');
      expect(client.client_secret).to.be.a('string').with.length(26);
      expect(client.registration_access_token).to.match(/^ory_at_[\w-]{43}\.[\w-]{43}$/);
      expect(client.registration_client_uri).to.equal(`${issuer}oauth2/register/${client.client_id}`);
      expect(client).to.include({ client_name: 'dcr machine', scope: 'read write', skip_consent: false });
      const first = client.registration_access_token as string;

      const token = await clientCredentials(server, client.client_id, client.client_secret);
      expect(token.status, JSON.stringify(token.body)).to.equal(200);
      expect(token.body.scope).to.equal('read');

      const read = await manage('GET', client.client_id, first);
      expect(read.status).to.equal(200);
      expect(read.body).to.include({ client_id: client.client_id, client_name: 'dcr machine' });
      for (const hidden of [
        'client_secret',
        'metadata',
        'registration_access_token',
        'registration_client_uri',
      ]) {
        expect(read.body, hidden).not.to.have.property(hidden);
      }

      const replaced = await manage('PUT', client.client_id, first, {
        client_name: 'renamed',
        grant_types: ['client_credentials'],
        scope: 'read',
        client_id: 'ignored',
      });
      expect(replaced.status).to.equal(200);
      expect(replaced.body).to.include({
        client_id: client.client_id,
        client_name: 'renamed',
        scope: 'read',
      });
      expect(replaced.body).not.to.have.property('client_secret');
      const second = replaced.body.registration_access_token as string;
      expect(second)
        .to.match(/^ory_at_/)
        .and.not.equal(first);

      // The old token is dead at once; the new one works; the stored secret was kept.
      const old = await manage('GET', client.client_id, first);
      expect(old.status).to.equal(401);
      expect(old.body).to.deep.equal(UNAUTHORIZED);
      expect((await manage('GET', client.client_id, second)).body.client_name).to.equal('renamed');
      expect((await clientCredentials(server, client.client_id, client.client_secret)).status).to.equal(200);

      // A secret in a PUT is refused (403), with the token it came with still good.
      const ownSecret = await manage('PUT', client.client_id, second, {
        ...MACHINE,
        client_secret: 'my-own-secret',
      });
      expect(ownSecret.status).to.equal(403);
      expect(ownSecret.body).to.deep.equal({
        error: 'The requested action was forbidden',
        error_description: 'It is not allowed to choose your own OAuth2 Client secret.',
      });
      expect((await clientCredentials(server, client.client_id, 'my-own-secret')).status).to.equal(401);

      const deleted = await manage('DELETE', client.client_id, second);
      expect(deleted.status).to.equal(204);
      const gone = await manage('GET', client.client_id, second);
      expect(gone.status).to.equal(401);
      expect(gone.body).to.deep.equal(UNAUTHORIZED);
      expect((await clientCredentials(server, client.client_id, client.client_secret)).status).to.equal(401);
      // Neither the secret nor a registration token reaches the log (which is at debug level here).
      const log = server.logs.join('\n');
      for (const secret of [client.client_secret, first, second]) expect(log).not.to.include(secret);
      expect(log).to.include(client.client_id);
    });

    it('gives a client sent without scope the default scope, and never shows a public client a secret', async () => {
      const created = await register({ redirect_uris: ['http://127.0.0.1:5555/cb'] });
      expect(created.status).to.equal(201);
      expect(created.body.scope).to.equal('offline_access offline openid');
      const pub = await register({
        token_endpoint_auth_method: 'none',
        redirect_uris: ['http://127.0.0.1:5555/cb'],
      });
      expect(pub.status).to.equal(201);
      expect(pub.body).not.to.have.property('client_secret');
      expect(pub.body.registration_access_token).to.match(/^ory_at_/);
    });

    it("refuses what only an administrator may set, with Hydra's bodies, and creates nothing", async () => {
      const refusals: [Record<string, unknown>, Record<string, string>][] = [
        [
          { client_secret: 'my-own-secret' },
          {
            error: 'The request was malformed or contained invalid parameters',
            error_description: 'It is not allowed to choose your own OAuth2 Client secret.',
          },
        ],
        [{ metadata: { team: 'x' } }, METADATA_REFUSED],
        [{ metadata: {} }, METADATA_REFUSED],
        [
          { access_token_strategy: 'jwt' },
          {
            error: 'The request was malformed or contained invalid parameters',
            error_description: 'It is not allowed to choose your own access token strategy.',
          },
        ],
        [
          { skip_consent: true },
          {
            error: 'invalid_request',
            error_description: "'skip_consent' cannot be set for dynamic client registration",
          },
        ],
        [
          { skip_logout_consent: true },
          {
            error: 'invalid_request',
            error_description: "'skip_logout_consent' cannot be set for dynamic client registration",
          },
        ],
        [
          { client_credentials_grant_access_token_lifespan: '87600h' },
          {
            error: 'invalid_request',
            error_description:
              "'client_credentials_grant_access_token_lifespan' cannot be set for dynamic client registration",
          },
        ],
      ];
      const owner = `refused-${process.pid}`;
      for (const [fields, body] of refusals) {
        const answer = await register({ ...MACHINE, owner, ...fields });
        expect(answer.status, JSON.stringify(fields)).to.equal(400);
        expect(answer.body, JSON.stringify(fields)).to.deep.equal(body);
      }
      const listed = await fetch(new URL(`/admin/clients?owner=${owner}`, server.adminUrl), {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
      expect(await listed.json()).to.deep.equal([]);
      // false and null are what an unset field reads as: accepted.
      const plain = await register({
        ...MACHINE,
        skip_consent: false,
        skip_logout_consent: null,
        refresh_token_grant_access_token_lifespan: null,
      });
      expect(plain.status).to.equal(201);
    });

    it('refuses URLs the server would fetch that name an internal host, without fetching anything', async () => {
      const internal: Record<string, unknown>[] = [
        {
          token_endpoint_auth_method: 'private_key_jwt',
          jwks_uri: 'http://169.254.169.254/latest/meta-data',
        },
        { backchannel_logout_uri: 'http://127.0.0.1:9/logout' },
        { backchannel_logout_uri: 'http://[::1]/logout' },
        { backchannel_logout_uri: 'http://[::ffff:10.0.0.1]/logout' },
        { sector_identifier_uri: 'https://localhost/sector' },
        { request_uris: ['https://192.168.1.1/request'] },
      ];
      for (const fields of internal) {
        const answer = await register({ ...MACHINE, ...fields });
        expect(answer.status, JSON.stringify(fields)).to.equal(400);
        expect(answer.body.error, JSON.stringify(fields)).to.equal('invalid_client_metadata');
        expect(answer.body.error_description).to.include('Client IP address is not allowed');
      }
      const { body: client } = await register(MACHINE);
      const replaced = await manage('PUT', client.client_id, client.registration_access_token, {
        ...MACHINE,
        backchannel_logout_uri: 'http://10.1.2.3/logout',
      });
      expect(replaced.status).to.equal(400);
      expect(replaced.body.error).to.equal('invalid_client_metadata');
      // A public host is accepted as it is: registration fetches nothing (a fetch from here would fail).
      const remote = await register({
        ...MACHINE,
        token_endpoint_auth_method: 'private_key_jwt',
        jwks_uri: 'https://jwks.invalid/keys.json',
        backchannel_logout_uri: 'https://rp.invalid/logout',
      });
      expect(remote.status, JSON.stringify(remote.body)).to.equal(201);
    });

    it('takes a registration token for one PUT only, even when two are sent at once', async () => {
      for (let round = 0; round < 3; round++) {
        const { body: client } = await register(MACHINE);
        const token = client.registration_access_token as string;
        const puts = await Promise.all(
          ['first', 'second', 'third'].map((name) =>
            manage('PUT', client.client_id, token, { ...MACHINE, client_name: name }),
          ),
        );
        const statuses = puts.map((p) => p.status).sort();
        expect(statuses, `round ${round}`).to.deep.equal([200, 401, 401]);
        // The one new token is the only one that works.
        const winner = puts.find((p) => p.status === 200)!;
        const read = await manage('GET', client.client_id, winner.body.registration_access_token);
        expect(read.body.client_name).to.equal(winner.body.client_name);
      }
    });

    it('refuses the same fields on PUT, leaving the client and its token as they were', async () => {
      const { body: client } = await register(MACHINE);
      const token = client.registration_access_token as string;
      const metadata = await manage('PUT', client.client_id, token, { ...MACHINE, metadata: {} });
      expect(metadata.status).to.equal(400);
      expect(metadata.body).to.deep.equal(METADATA_REFUSED);
      const skip = await manage('PUT', client.client_id, token, { ...MACHINE, skip_consent: true });
      expect(skip.status).to.equal(400);
      expect(skip.body.error).to.equal('invalid_request');
      const read = await manage('GET', client.client_id, token);
      expect(read.status).to.equal(200);
      expect(read.body.skip_consent).to.equal(false);
    });

    it('takes back on PUT the lifespans an administrator set, and refuses others', async () => {
      const { body: client } = await register(MACHINE);
      const lifespans = await fetch(
        new URL(`/admin/clients/${client.client_id}/lifespans`, server.adminUrl),
        {
          method: 'PUT',
          headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
          body: JSON.stringify({ client_credentials_grant_access_token_lifespan: '2h' }),
        },
      );
      expect(lifespans.status).to.equal(200);
      const read = await manage('GET', client.client_id, client.registration_access_token);
      expect(read.body.client_credentials_grant_access_token_lifespan).to.equal('2h0m0s');
      const { created_at, updated_at, ...document } = read.body;
      const echoed = await manage('PUT', client.client_id, client.registration_access_token, document);
      expect(echoed.status, JSON.stringify(echoed.body)).to.equal(200);
      const longer = await manage('PUT', client.client_id, echoed.body.registration_access_token, {
        ...document,
        client_credentials_grant_access_token_lifespan: '87600h',
      });
      expect(longer.status).to.equal(400);
      expect(longer.body.error).to.equal('invalid_request');
      // Leaving them out does not erase them either: the client would get the server's longer default.
      const omitted = await manage('PUT', client.client_id, echoed.body.registration_access_token, MACHINE);
      expect(omitted.status).to.equal(200);
      expect(omitted.body.client_credentials_grant_access_token_lifespan).to.equal('2h0m0s');
    });

    it('answers every failed check with the same 401, whatever failed', async () => {
      const { body: a } = await register(MACHINE);
      const { body: b } = await register(MACHINE);
      const tokenA = a.registration_access_token as string;
      const tokenB = b.registration_access_token as string;
      const [head, sig] = tokenA.split('.') as [string, string];
      const forged = `${head}.${sig.slice(0, -2)}${sig.endsWith('AA') ? 'BA' : 'AA'}`;
      const cases: [string, string, string | undefined, Record<string, string>?][] = [
        ['no Authorization header', a.client_id, undefined],
        ['another client’s token', a.client_id, tokenB],
        ['a forged signature', a.client_id, forged],
        ['not a token at all', a.client_id, 'garbage'],
        ['an unknown client id', 'no-such-client', tokenA],
        [
          'Basic credentials instead',
          a.client_id,
          undefined,
          { authorization: `Basic ${Buffer.from(`${a.client_id}:${a.client_secret}`).toString('base64')}` },
        ],
      ];
      for (const [what, id, token, headers] of cases) {
        for (const method of ['GET', 'PUT', 'DELETE']) {
          const answer = await send(server.publicUrl, method, `/oauth2/register/${id}`, {
            token,
            headers,
            json: method === 'PUT' ? MACHINE : undefined,
            from: address(),
          });
          expect(answer.status, `${method} with ${what}`).to.equal(401);
          expect(answer.body, `${method} with ${what}`).to.deep.equal(UNAUTHORIZED);
        }
      }
      // Nothing above changed either client.
      expect((await manage('GET', a.client_id, tokenA)).body.client_name).to.equal('dcr machine');
      expect((await manage('GET', b.client_id, tokenB)).status).to.equal(200);
    });

    it('manages a client created on the admin port with the token its creation returned (as Hydra does)', async () => {
      const created = await send(server.adminUrl, 'POST', '/admin/clients', {
        json: { ...MACHINE, metadata: { team: 'ops' } },
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
      const token = created.body.registration_access_token as string;
      const read = await manage('GET', created.body.client_id, token);
      expect(read.status).to.equal(200);
      expect(read.body).not.to.have.property('metadata');
    });

    it('keeps registered clients on the public port: their tokens open nothing on the admin API', async () => {
      const { status, body: client } = await register(MACHINE);
      expect(status).to.equal(201);
      const access = await clientCredentials(server, client.client_id, client.client_secret);
      expect(access.status).to.equal(200);
      for (const bearer of [
        client.registration_access_token,
        access.body.access_token,
        client.client_secret,
      ]) {
        const answer = await fetch(new URL('/admin/clients', server.adminUrl), {
          headers: { authorization: `Bearer ${bearer}` },
        });
        expect(answer.status).to.equal(401);
      }
    });

    it('advertises /oauth2/register in discovery', async () => {
      const discovery = await send(server.publicUrl, 'GET', '/.well-known/openid-configuration');
      expect(discovery.body.registration_endpoint).to.equal(`${issuer}oauth2/register`);
    });

    it("registers with openid-client's dynamicClientRegistration and then uses the client", async () => {
      const config = await oidc.dynamicClientRegistration(
        new URL(issuer),
        {
          grant_types: ['client_credentials'],
          scope: 'read',
          token_endpoint_auth_method: 'client_secret_post',
        },
        undefined,
        { execute: [oidc.allowInsecureRequests] },
      );
      const metadata = config.clientMetadata();
      expect(metadata.client_id).to.match(UUID);
      expect(metadata.registration_access_token).to.match(/^ory_at_/);
      const tokens = await oidc.clientCredentialsGrant(config, { scope: 'read' });
      expect(tokens.access_token).to.match(/^ory_at_/);
      expect(tokens.scope).to.equal('read');
    });
  });

  describe('per-address limits', () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer({
        'oidc.dynamic_client_registration.enabled': true,
        'serve.trusted_proxies': ['127.0.0.1'],
        'rate_limit.registration.per_address': 2,
        'rate_limit.registration.failed_per_address': 3,
        'rate_limit.registration.window': '1h',
      });
    });
    after(() => server?.close());

    const register = (from: string) =>
      send(server.publicUrl, 'POST', '/oauth2/register', { json: MACHINE, from });

    it('refuses a third registration from one address within the window (429, Retry-After), not from another', async () => {
      expect((await register('203.0.113.1')).status).to.equal(201);
      expect((await register('203.0.113.1')).status).to.equal(201);
      const refused = await register('203.0.113.1');
      expect(refused.status).to.equal(429);
      expect(refused.body).to.deep.equal({
        error: 'temporarily_unavailable',
        error_description:
          'The request was refused because too many requests were made. The client registration rate limit for this address is exceeded.',
      });
      // A bucket of 2 refilled at 2 an hour: the next registration is half an hour away.
      expect(Number(refused.headers.get('retry-after'))).to.be.within(1700, 1800);
      expect((await register('203.0.113.2')).status).to.equal(201);
    });

    it('counts an IPv6 caller by its /64: new addresses of one network do not buy more registrations', async () => {
      expect((await register('2001:db8:1:2::1')).status).to.equal(201);
      expect((await register('2001:db8:1:2:aaaa::2')).status).to.equal(201);
      expect((await register('2001:db8:1:2:ffff:1:2:3')).status).to.equal(429);
      expect((await register('2001:db8:1:3::1')).status).to.equal(201);
    });

    it('refuses an address after too many failed token checks, even with the right token; another address is unaffected', async () => {
      const { body: client } = await register('203.0.113.3');
      const path = `/oauth2/register/${client.client_id}`;
      const token = client.registration_access_token as string;
      for (let i = 0; i < 3; i++) {
        const wrong = await send(server.publicUrl, 'GET', path, {
          token: 'ory_at_wrong.token',
          from: '203.0.113.4',
        });
        expect(wrong.status).to.equal(401);
      }
      const locked = await send(server.publicUrl, 'GET', path, { token, from: '203.0.113.4' });
      expect(locked.status).to.equal(429);
      expect(locked.body.error).to.equal('temporarily_unavailable');
      expect(Number(locked.headers.get('retry-after'))).to.be.within(3500, 3600);
      const elsewhere = await send(server.publicUrl, 'GET', path, { token, from: '203.0.113.5' });
      expect(elsewhere.status).to.equal(200);
    });

    it('counts nothing when rate_limit.enabled is false', async () => {
      const open = await startTestServer({
        'oidc.dynamic_client_registration.enabled': true,
        'rate_limit.enabled': false,
        'rate_limit.registration.per_address': 1,
      });
      try {
        for (let i = 0; i < 3; i++) {
          expect((await send(open.publicUrl, 'POST', '/oauth2/register', { json: MACHINE })).status).to.equal(
            201,
          );
        }
      } finally {
        await open.close();
      }
    });
  });
});
