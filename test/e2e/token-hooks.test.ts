// oauth2.token_hook and oauth2.refresh_token_hook over real HTTP: a hook server on 127.0.0.1 records Hydra's
// request bodies and answers as each test tells it (204, 200 with claims, 403, 500, bad JSON, no answer); the
// claims land in the access token (introspection `ext`) and the ID token, survive refresh, and a refused hook
// leaves no token behind.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { parsePostgresDsn } from '../../server/storage/dsn.js';
import { createKnex } from '../../server/storage/knex.js';
import { call } from '../helpers/api.js';
import { approveDevice, DEVICE_GRANT, deviceClient, deviceCode, pollToken } from '../helpers/device.js';
import { exchangeCode, FlowDriver, randomState, webClient } from '../helpers/flow-driver.js';
import {
  basicHeader,
  type CreatedClient,
  ccClient,
  expectOAuth2Error,
  introspect,
  tokenRequest,
} from '../helpers/oauth2.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const REDIRECT = 'http://127.0.0.1:5555/cb';
const HEADER_KEY = 'a-hook-api-key-0123456789';
const COOKIE_KEY = 'a-hook-cookie-key-0123456789';
const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8'));

type Reply = (res: ServerResponse) => void;
interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: any;
}

/** A webhook target: records each request; `replies[path]` answers it (default 204). */
class HookServer {
  readonly received: Received[] = [];
  readonly replies: Record<string, Reply> = {};
  private readonly hanging: ServerResponse[] = [];
  private server!: Server;
  url = '';

  async start() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        this.received.push({ path: req.url ?? '', headers: req.headers, body: JSON.parse(text) });
        (this.replies[req.url ?? ''] ?? noContent)(res);
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  reset() {
    this.received.length = 0;
    for (const key of Object.keys(this.replies)) delete this.replies[key];
  }

  /** Never answers (until close): the hook's timeout must fire. */
  hang: Reply = (res) => {
    this.hanging.push(res);
  };

  async close() {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

const noContent: Reply = (res) => res.writeHead(204).end();
const json =
  (status: number, body: unknown): Reply =>
  (res) =>
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
const claims = (access_token: unknown, id_token: unknown) =>
  json(200, { session: { access_token, id_token } });

describe('token hooks (oauth2.token_hook, oauth2.refresh_token_hook)', () => {
  const hook = new HookServer();
  let server: TestServer;
  let web: CreatedClient;

  before(async () => {
    await hook.start();
    server = await startTestServer({
      'urls.login': 'http://127.0.0.1:9/login',
      'urls.consent': 'http://127.0.0.1:9/consent',
      'oauth2.token_hook': {
        url: `${hook.url}/token`,
        auth: { type: 'api_key', config: { in: 'header', name: 'X-Api-Key', value: HEADER_KEY } },
      },
      'oauth2.refresh_token_hook.url': `${hook.url}/refresh`,
      'oauth2.refresh_token_hook.auth.type': 'api_key',
      'oauth2.refresh_token_hook.auth.config.in': 'cookie',
      'oauth2.refresh_token_hook.auth.config.name': 'hook_key',
      'oauth2.refresh_token_hook.auth.config.value': COOKIE_KEY,
      'oauth2.hook_timeout': '500ms',
    });
    web = await webClient(server);
  });
  beforeEach(() => hook.reset());
  after(async () => {
    await server?.close();
    await hook.close();
  });

  /** Login and consent with the given claims; the code. */
  async function code(client: CreatedClient, scope = 'openid offline_access') {
    const driver = new FlowDriver(server);
    const { params } = await driver.login(
      {
        client_id: client.client_id,
        response_type: 'code',
        redirect_uri: REDIRECT,
        scope,
        state: randomState(),
        nonce: 'nonce-0123456789',
      },
      {
        subject: 'alice@example.com',
        login: { acr: 'urn:acr:pwd', amr: ['pwd'] },
        consent: {
          session: { access_token: { tier: 'gold' }, id_token: { email: 'alice@example.com' } },
        },
      },
    );
    return params.get('code')!;
  }

  async function tokens(client: CreatedClient) {
    const res = await exchangeCode(server, client, { code: await code(client), redirect_uri: REDIRECT });
    expect(res.status, res.text).to.equal(200);
    return res.body as Record<string, string>;
  }

  const refresh = (client: CreatedClient, refreshToken: string) =>
    call(server, 'oauth2TokenExchange', {
      form: { grant_type: 'refresh_token', refresh_token: refreshToken },
      headers: { authorization: basicHeader(client.client_id, client.client_secret!) },
    });

  async function userinfo(token: string) {
    const res = await call(server, 'getOidcUserInfo', { headers: { authorization: `Bearer ${token}` } });
    expect(res.status, res.text).to.equal(200);
    return res.body as Record<string, unknown>;
  }

  async function count(table: string, clientId: string, on: TestServer = server): Promise<number> {
    const knex = createKnex(parsePostgresDsn(on.dsn, 1));
    try {
      const [row] = await knex(table).where({ client_id: clientId }).count({ n: '*' });
      return Number(row!.n);
    } finally {
      await knex.destroy();
    }
  }

  describe('request bodies (Hydra oauth2/token_hook.go, oauth2/refresh_hook.go)', () => {
    it('client_credentials: the session and the request, payload without the secret, the API key in a header', async () => {
      const cc = await ccClient(server, {
        scope: 'read write',
        audience: ['https://api.example.com'],
        token_endpoint_auth_method: 'client_secret_post',
      });
      const res = await tokenRequest(
        server,
        {
          grant_type: 'client_credentials',
          scope: 'read',
          audience: 'https://api.example.com',
          client_id: cc.client_id,
          client_secret: cc.client_secret!,
        },
        undefined,
      );
      expect(res.status, res.text).to.equal(200);
      expect(hook.received.map((r) => r.path)).to.deep.equal(['/token']);
      const [{ headers, body }] = hook.received as [Received];
      expect(headers['x-api-key']).to.equal(HEADER_KEY);
      expect(headers['content-type']).to.equal('application/json; charset=UTF-8');
      expect(Object.keys(body)).to.deep.equal(['session', 'request']);
      expect(body.request).to.deep.equal({
        client_id: cc.client_id,
        requested_scopes: ['read'],
        granted_scopes: ['read'],
        granted_audience: ['https://api.example.com'],
        grant_types: ['client_credentials'],
        // fosite's Sanitize: grant_type, scope and client_id; never client_secret, nor audience.
        payload: { grant_type: ['client_credentials'], scope: ['read'], client_id: [cc.client_id] },
      });
      expect(Object.keys(body.session)).to.deep.equal([
        'id_token',
        'extra',
        'kid',
        'client_id',
        'consent_challenge',
        'exclude_not_before_claim',
        'allowed_top_level_claims',
        'mirror_top_level_claims',
        'preserve_ext_claims',
      ]);
      expect(body.session.extra).to.deep.equal({});
      expect(body.session.client_id).to.equal(cc.client_id);
      expect(body.session.id_token.subject).to.equal(cc.client_id);
    });

    it('authorization_code: the consent’s claims in the session, payload grant_type only', async () => {
      const c = await code(web);
      const res = await exchangeCode(server, web, { code: c, redirect_uri: REDIRECT });
      expect(res.status, res.text).to.equal(200);
      expect(hook.received.map((r) => r.path)).to.deep.equal(['/token']);
      const { body } = hook.received[0]!;
      expect(body.request).to.deep.equal({
        client_id: web.client_id,
        requested_scopes: ['openid', 'offline_access'],
        granted_scopes: ['openid', 'offline_access'],
        granted_audience: [],
        grant_types: ['authorization_code'],
        payload: { grant_type: ['authorization_code'] },
      });
      expect(body.session.extra).to.deep.equal({ tier: 'gold' });
      const idToken = body.session.id_token;
      expect(idToken.subject).to.equal('alice@example.com');
      expect(idToken.id_token_claims).to.include({
        iss: 'http://127.0.0.1:4444/',
        sub: 'alice@example.com',
        nonce: 'nonce-0123456789',
        acr: 'urn:acr:pwd',
      });
      expect(idToken.id_token_claims.aud).to.deep.equal([web.client_id]);
      expect(idToken.id_token_claims.amr).to.deep.equal(['pwd']);
      expect(idToken.id_token_claims.ext).to.include({ email: 'alice@example.com' });
      expect(idToken.id_token_claims.ext.sid).to.be.a('string');
      expect(idToken.expires_at).to.have.keys(['access_token', 'refresh_token', 'id_token']);
    });

    it('refresh_token: the refresh hook first (cookie API key, its own body), then the token hook', async () => {
      const first = await tokens(web);
      hook.reset();
      const res = await refresh(web, first.refresh_token!);
      expect(res.status, res.text).to.equal(200);
      expect(hook.received.map((r) => r.path)).to.deep.equal(['/refresh', '/token']);
      const [refreshCall, tokenCall] = hook.received as [Received, Received];
      expect(refreshCall.headers.cookie).to.equal(`hook_key=${COOKIE_KEY}`);
      expect(refreshCall.headers['x-api-key']).to.equal(undefined);
      expect(Object.keys(refreshCall.body)).to.deep.equal([
        'subject',
        'session',
        'requester',
        'client_id',
        'granted_scopes',
        'granted_audience',
      ]);
      expect(refreshCall.body).to.deep.include({
        subject: 'alice@example.com',
        client_id: web.client_id,
        granted_scopes: ['openid', 'offline_access'],
        granted_audience: [],
        requester: {
          client_id: web.client_id,
          granted_scopes: ['openid', 'offline_access'],
          granted_audience: [],
          grant_types: ['refresh_token'],
        },
      });
      expect(refreshCall.body.session.extra).to.deep.equal({ tier: 'gold' });
      expect(tokenCall.headers['x-api-key']).to.equal(HEADER_KEY);
      // The refresh token itself is not among fosite's sanitized parameters.
      expect(tokenCall.body.request.payload).to.deep.equal({ grant_type: ['refresh_token'] });
      expect(tokenCall.body.request.grant_types).to.deep.equal(['refresh_token']);
    });
  });

  describe('replies', () => {
    it('200: the claims go into the access token (introspection ext) and the ID token', async () => {
      hook.replies['/token'] = claims({ hooked: 'at' }, { hooked: 'id', email: 'a@b.c' });
      const body = await tokens(web);
      const access = await introspect(server, body.access_token!);
      expect(access.ext).to.deep.equal({ tier: 'gold', hooked: 'at' });
      const id = claimsOf(body.id_token!);
      expect(id).to.include({ hooked: 'id', email: 'a@b.c', sub: 'alice@example.com' });
      // Userinfo answers the ID token's claims, the hook's included (as Hydra's session does).
      expect(await userinfo(body.access_token!)).to.include({ hooked: 'id', email: 'a@b.c' });
    });

    it('200 with a null claim removes it; a reserved ID token claim cannot be overridden', async () => {
      hook.replies['/token'] = claims({ tier: null }, { sub: 'mallory', iss: 'https://evil' });
      const body = await tokens(web);
      expect((await introspect(server, body.access_token!)).ext).to.equal(undefined);
      expect(claimsOf(body.id_token!)).to.include({
        sub: 'alice@example.com',
        iss: 'http://127.0.0.1:4444/',
      });
    });

    it('204: the tokens carry the consent’s claims unchanged', async () => {
      const body = await tokens(web);
      expect(hook.received.map((r) => r.path)).to.deep.equal(['/token']);
      expect((await introspect(server, body.access_token!)).ext).to.deep.equal({ tier: 'gold' });
      expect(claimsOf(body.id_token!)).to.include({ email: 'alice@example.com' });
      expect(claimsOf(body.id_token!)).not.to.have.property('hooked');
    });

    it('client_credentials gets the hook’s access token claims', async () => {
      hook.replies['/token'] = claims({ hooked: true }, {});
      const cc = await ccClient(server);
      const res = await tokenRequest(
        server,
        { grant_type: 'client_credentials' },
        { id: cc.client_id, secret: cc.client_secret! },
      );
      expect(res.status, res.text).to.equal(200);
      expect((await introspect(server, res.body.access_token)).ext).to.deep.equal({ hooked: true });
    });

    const refusals: [string, Reply | 'hang', number, string, RegExp][] = [
      ['403', json(403, { error: 'nope' }), 403, 'access_denied', /HTTP 403/],
      ['500', json(500, { secret: 'hook-internal-detail' }), 500, 'server_error', /HTTP status 500/],
      [
        '302',
        (res) => res.writeHead(302, { location: 'http://127.0.0.1:9/' }).end(),
        500,
        'server_error',
        /302/,
      ],
      ['bad JSON', (res) => res.writeHead(200).end('{"session": '), 500, 'server_error', /not JSON/],
      ['a non-object claim set', claims('x', {}), 500, 'server_error', /not JSON of the form/],
      ['no answer in time', 'hang', 500, 'server_error', /did not answer within 500 ms/],
    ];
    for (const [name, reply, status, error, hint] of refusals) {
      it(`${name}: ${status} ${error}, a clear hint, and nothing issued`, async () => {
        const client = await webClient(server);
        const c = await code(client);
        hook.replies['/token'] = reply === 'hang' ? hook.hang : reply;
        const res = await exchangeCode(server, client, { code: c, redirect_uri: REDIRECT });
        expectOAuth2Error(res, status, error);
        expect(res.body.error_description).to.match(/^The token hook target responded with an error\. /);
        expect(res.body.error_description).to.match(hint);
        // Neither the hook's credential nor its reply body reaches the client or the log.
        const logs = server.logs.join('\n');
        for (const leak of [HEADER_KEY, 'hook-internal-detail']) {
          expect(res.text).not.to.include(leak);
          expect(logs).not.to.include(leak);
        }
        expect(logs).to.include('token hook failed');
        expect(await count('oauth2_access_tokens', client.client_id)).to.equal(0);
        expect(await count('oauth2_refresh_tokens', client.client_id)).to.equal(0);
        // The code was not redeemed: it still works once the hook agrees (a refusal is not a use).
        hook.replies['/token'] = noContent;
        const retry = await exchangeCode(server, client, { code: c, redirect_uri: REDIRECT });
        expect(retry.status, retry.text).to.equal(200);
      });
    }

    it('a refused client_credentials token is not issued', async () => {
      hook.replies['/token'] = json(403, {});
      const cc = await ccClient(server);
      const res = await tokenRequest(
        server,
        { grant_type: 'client_credentials' },
        { id: cc.client_id, secret: cc.client_secret! },
      );
      expectOAuth2Error(res, 403, 'access_denied');
      expect(await count('oauth2_access_tokens', cc.client_id)).to.equal(0);
    });

    it('a refused refresh keeps the old refresh token usable and issues nothing', async () => {
      const first = await tokens(web);
      const before = await count('oauth2_refresh_tokens', web.client_id);
      hook.replies['/refresh'] = json(403, {});
      const refused = await refresh(web, first.refresh_token!);
      expectOAuth2Error(refused, 403, 'access_denied');
      // The token hook is not called once the refresh hook refused.
      expect(hook.received.map((r) => r.path)).to.deep.equal(['/token', '/refresh']);
      expect(await count('oauth2_refresh_tokens', web.client_id)).to.equal(before);
      expect(await introspect(server, first.refresh_token!)).to.include({ active: true });
      hook.replies['/refresh'] = noContent;
      expect((await refresh(web, first.refresh_token!)).status).to.equal(200);
    });
  });

  describe('device authorization grant (RFC 8628)', () => {
    /** A device code approved through login and consent, with the consent's claims. */
    async function approvedDeviceCode(client: CreatedClient) {
      const auth = await deviceCode(server, client);
      const done = await approveDevice(server, auth, {
        subject: 'alice@example.com',
        consent: { session: { access_token: { tier: 'gold' }, id_token: { email: 'alice@example.com' } } },
      });
      expect(done.status, done.text).to.equal(302);
      return auth.device_code;
    }

    it('the hook sees the device grant and its 200 claims reach the access and ID tokens', async () => {
      const client = await deviceClient(server);
      const device = await approvedDeviceCode(client);
      hook.replies['/token'] = claims({ hooked: 'at' }, { hooked: 'id' });
      const res = await pollToken(server, client, device);
      expect(res.status, res.text).to.equal(200);
      expect(hook.received.map((r) => r.path)).to.deep.equal(['/token']);
      const { headers, body } = hook.received[0]!;
      expect(headers['x-api-key']).to.equal(HEADER_KEY);
      // The device code is not among fosite's sanitized parameters.
      expect(body.request).to.deep.equal({
        client_id: client.client_id,
        requested_scopes: ['openid', 'offline_access'],
        granted_scopes: ['openid', 'offline_access'],
        granted_audience: [],
        grant_types: [DEVICE_GRANT],
        payload: { grant_type: [DEVICE_GRANT] },
      });
      expect(body.session.extra).to.deep.equal({ tier: 'gold' });
      expect(body.session.id_token.subject).to.equal('alice@example.com');
      expect(body.session.id_token.id_token_claims.ext).to.include({ email: 'alice@example.com' });
      expect((await introspect(server, res.body.access_token)).ext).to.deep.equal({
        tier: 'gold',
        hooked: 'at',
      });
      expect(claimsOf(res.body.id_token)).to.include({
        hooked: 'id',
        email: 'alice@example.com',
        sub: 'alice@example.com',
      });
    });

    it('a 403 hook makes the poll access_denied, issues nothing and leaves the device code usable', async () => {
      const client = await deviceClient(server);
      const device = await approvedDeviceCode(client);
      hook.replies['/token'] = json(403, {});
      const refused = await pollToken(server, client, device);
      expectOAuth2Error(refused, 403, 'access_denied');
      expect(refused.body.error_description).to.match(/HTTP 403/);
      expect(hook.received.map((r) => r.path)).to.deep.equal(['/token']);
      expect(await count('oauth2_access_tokens', client.client_id)).to.equal(0);
      expect(await count('oauth2_refresh_tokens', client.client_id)).to.equal(0);
      // A refusal is not a use: the device's next poll gets tokens once the hook agrees.
      hook.replies['/token'] = noContent;
      const retry = await pollToken(server, client, device);
      expect(retry.status, retry.text).to.equal(200);
      expect((await introspect(server, retry.body.access_token)).ext).to.deep.equal({ tier: 'gold' });
    });
  });

  describe('claims survive refresh', () => {
    it('with 204 hooks the refreshed tokens keep the claims the hook added at the code exchange', async () => {
      hook.replies['/token'] = claims({ hooked: 'at' }, { hooked: 'id' });
      const first = await tokens(web);
      hook.replies['/token'] = noContent;
      const second = await refresh(web, first.refresh_token!);
      expect(second.status, second.text).to.equal(200);
      // The hooks were shown the claims the previous exchange issued.
      const [refreshCall, tokenCall] = hook.received.slice(-2) as [Received, Received];
      expect(refreshCall.body.session.extra).to.deep.equal({ tier: 'gold', hooked: 'at' });
      expect(tokenCall.body.session.id_token.id_token_claims.ext).to.include({ hooked: 'id' });
      expect((await introspect(server, second.body.access_token)).ext).to.deep.equal({
        tier: 'gold',
        hooked: 'at',
      });
      expect(claimsOf(second.body.id_token)).to.include({ hooked: 'id', email: 'alice@example.com' });
      expect(await userinfo(second.body.access_token)).to.include({
        hooked: 'id',
        email: 'alice@example.com',
      });
      // And again: what the refresh issued is what the next refresh starts from.
      const third = await refresh(web, second.body.refresh_token);
      expect(claimsOf(third.body.id_token)).to.include({ hooked: 'id', email: 'alice@example.com' });
      expect((await introspect(server, third.body.refresh_token)).ext).to.deep.equal({
        tier: 'gold',
        hooked: 'at',
      });
    });

    it('a 200 that does not echo earlier claims keeps them (merged, not replaced: ory/hydra#3852)', async () => {
      const first = await tokens(web);
      hook.replies['/refresh'] = claims({ fresh: 1 }, { fresh: 2 });
      const second = await refresh(web, first.refresh_token!);
      expect(second.status, second.text).to.equal(200);
      expect((await introspect(server, second.body.access_token)).ext).to.deep.equal({
        tier: 'gold',
        fresh: 1,
      });
      expect(claimsOf(second.body.id_token)).to.include({ email: 'alice@example.com', fresh: 2 });
      // The token hook, after the refresh hook, saw the refresh hook's claims.
      expect(hook.received.at(-1)!.body.session.extra).to.deep.equal({ tier: 'gold', fresh: 1 });
    });
  });

  it('jwt-bearer: the hook sees the assertion grant (assertion in the payload) and its claims reach the token', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
    const trusted = await call(server, 'trustOAuth2JwtGrantIssuer', {
      json: {
        issuer: 'https://idp.example.com',
        subject: 'bob',
        scope: ['read'],
        jwk: { ...(await exportJWK(publicKey)), kid: 'hook-key', alg: 'ES256', use: 'sig' },
        expires_at: '2031-01-01T00:00:00Z',
      },
    });
    expect(trusted.status, trusted.text).to.equal(201);
    const client = await ccClient(server, {
      grant_types: ['urn:ietf:params:oauth:grant-type:jwt-bearer'],
      scope: 'read',
    });
    const now = Math.floor(Date.now() / 1000);
    const assertion = await new SignJWT({
      iss: 'https://idp.example.com',
      sub: 'bob',
      aud: new URL('oauth2/token', server.config.publicUrl).href,
      exp: now + 300,
      iat: now,
      jti: randomUUID(),
    })
      .setProtectedHeader({ alg: 'ES256', kid: 'hook-key' })
      .sign(privateKey);
    hook.replies['/token'] = claims({ via: 'jwt-bearer' }, {});
    const res = await tokenRequest(
      server,
      { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion, scope: 'read' },
      { id: client.client_id, secret: client.client_secret! },
    );
    expect(res.status, res.text).to.equal(200);
    const { body } = hook.received.at(-1)!;
    expect(body.request.grant_types).to.deep.equal(['urn:ietf:params:oauth:grant-type:jwt-bearer']);
    // Hydra adds `assertion` to fosite's sanitized parameters.
    expect(body.request.payload).to.deep.equal({
      grant_type: ['urn:ietf:params:oauth:grant-type:jwt-bearer'],
      scope: ['read'],
      assertion: [assertion],
    });
    expect(body.session.id_token.subject).to.equal('bob');
    expect((await introspect(server, res.body.access_token)).ext).to.deep.equal({ via: 'jwt-bearer' });
  });

  describe('with stateless JWT access tokens', () => {
    let jwtServer: TestServer;
    before(async () => {
      jwtServer = await startTestServer({
        'strategies.access_token': 'jwt',
        'strategies.jwt.stateless': true,
        'oauth2.token_hook': `${hook.url}/token`,
      });
    });
    after(() => jwtServer?.close());

    it('the hook’s claims are in the JWT’s ext and in its introspection (the token is their only store)', async () => {
      hook.replies['/token'] = claims({ hooked: 'stateless' }, {});
      const cc = await ccClient(jwtServer);
      const res = await tokenRequest(
        jwtServer,
        { grant_type: 'client_credentials' },
        { id: cc.client_id, secret: cc.client_secret! },
      );
      expect(res.status, res.text).to.equal(200);
      expect(claimsOf(res.body.access_token).ext).to.deep.equal({ hooked: 'stateless' });
      expect(await count('oauth2_access_tokens', cc.client_id, jwtServer)).to.equal(0);
      expect((await introspect(jwtServer, res.body.access_token)).ext).to.deep.equal({ hooked: 'stateless' });
    });
  });
});
