// OpenID Connect logout over HTTP (flow-driver's cookie jar as the browser, the admin API as the logout app, a
// small relying party that receives front-channel and back-channel calls): RP- and OP-initiated logout, every
// error of /oauth2/sessions/logout, the admin logout requests, back-channel logout tokens verified with jose
// against the published keys, bounded retries, a redirect that never waits for a relying party, and where
// Tollgate ends sessions Hydra leaves alive (remember:false, a second logout, client_id, a subject switch).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { parsePostgresDsn } from '../../server/storage/dsn.js';
import { createKnex } from '../../server/storage/knex.js';
import { deleteInactiveRequests } from '../../server/storage/pg-janitor.js';
import { call } from '../helpers/api.js';
import { exchangeCode, FlowDriver, randomState, webClient } from '../helpers/flow-driver.js';
import { type CreatedClient, sleep } from '../helpers/oauth2.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const REDIRECT = 'http://127.0.0.1:5555/cb';
const LOGGED_OUT = 'http://127.0.0.1:5555/logged-out';
const LOGOUT_UI = 'http://127.0.0.1:9/logout';
const ERROR_URL = 'http://127.0.0.1:9/error';
const EVENT = 'http://schemas.openid.net/event/backchannel-logout';

interface Received {
  path: string;
  query: URLSearchParams;
  form: URLSearchParams;
  contentType: string | undefined;
}

/** The relying party's endpoints: /bc/ok/* answers 200, /bc/fail/* 500, /bc/hang/* never (until released). */
class RelyingParty {
  readonly calls: Received[] = [];
  readonly hanging: ServerResponse[] = [];
  private server!: Server;
  url = '';

  async start() {
    this.server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://rp');
        this.calls.push({
          path: url.pathname,
          query: url.searchParams,
          form: new URLSearchParams(Buffer.concat(chunks).toString('utf8')),
          contentType: req.headers['content-type'],
        });
        if (url.pathname.startsWith('/bc/hang/')) {
          this.hanging.push(res);
          return;
        }
        res.statusCode = url.pathname.startsWith('/bc/fail/') ? 500 : 200;
        res.end();
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  to(path: string) {
    return this.calls.filter((c) => c.path === path);
  }

  /** Waits (polling) until `count` calls reached `path`. */
  async until(path: string, count = 1, limitMs = 40_000) {
    const end = Date.now() + limitMs;
    while (this.to(path).length < count) {
      if (Date.now() > end) throw new Error(`${path}: ${this.to(path).length} of ${count} calls`);
      await sleep(50);
    }
    return this.to(path);
  }

  async stop() {
    for (const res of this.hanging) res.end();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

describe('OpenID Connect logout, end to end', function () {
  // Back-channel deliveries are awaited by polling, on a machine that may be busy.
  this.timeout(90_000);
  let server: TestServer;
  let rp: RelyingParty;
  let n = 0;

  before(async () => {
    rp = new RelyingParty();
    await rp.start();
    server = await startTestServer({
      'urls.login': 'http://127.0.0.1:9/login',
      'urls.consent': 'http://127.0.0.1:9/consent',
      'urls.logout': LOGOUT_UI,
      'urls.error': ERROR_URL,
      // The relying party listens on 127.0.0.1.
      'clients.http.disallow_private_ip_ranges': false,
    });
  });
  after(async () => {
    await server?.close();
    await rp?.stop();
  });

  /** A web client of its own (own back-channel path), with a post-logout URI. */
  function rpClient(extra: Record<string, unknown> = {}, mode: 'ok' | 'fail' | 'hang' = 'ok') {
    n += 1;
    return webClient(server, {
      post_logout_redirect_uris: [LOGGED_OUT],
      backchannel_logout_uri: `${rp.url}/bc/${mode}/${n}`,
      ...extra,
    });
  }

  /** Signs in through /oauth2/auth (login and consent accepted) and returns the ID token and its claims. */
  async function signIn(
    driver: FlowDriver,
    client: CreatedClient,
    login: Record<string, unknown> = { remember: true },
    params: Record<string, string> = {},
  ) {
    const { params: answer } = await driver.login(
      {
        client_id: client.client_id,
        response_type: 'code',
        redirect_uri: REDIRECT,
        scope: 'openid',
        state: randomState(),
        nonce: 'nonce-0123456789',
        ...params,
      },
      { subject: 'alice@example.com', login },
    );
    const res = await exchangeCode(server, client, { code: answer.get('code')!, redirect_uri: REDIRECT });
    expect(res.status, res.text).to.equal(200);
    const idToken = res.body.id_token as string;
    const claims = JSON.parse(Buffer.from(idToken.split('.')[1]!, 'base64url').toString('utf8'));
    return { idToken, sid: claims.sid as string };
  }

  /** The path of a client's back-channel endpoint on the relying party. */
  const bcPath = (client: CreatedClient) => new URL(client.backchannel_logout_uri as string).pathname;

  function logoutUrl(params: Record<string, string>) {
    const url = new URL('/oauth2/sessions/logout', server.publicUrl);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    return url.href;
  }

  /** Expects the redirect to the logout UI and returns the challenge. */
  function challengeOf(hop: { status: number; location?: string; text: string }) {
    expect(hop.status, hop.text).to.equal(302);
    const to = new URL(hop.location!);
    expect(`${to.origin}${to.pathname}`).to.equal(LOGOUT_UI);
    return to.searchParams.get('logout_challenge')!;
  }

  async function accept(challenge: string): Promise<string> {
    const res = await call(server, 'acceptOAuth2LogoutRequest', { query: { logout_challenge: challenge } });
    expect(res.status, res.text).to.equal(200);
    return res.body.redirect_to as string;
  }

  /** A new authorization request of the same browser: does it skip the login (a remembered session)? */
  async function loginSkipped(driver: FlowDriver, client: CreatedClient) {
    const { challenge } = await driver.startLogin({
      client_id: client.client_id,
      response_type: 'code',
      redirect_uri: REDIRECT,
      scope: 'openid',
      state: randomState(),
    });
    const res = await call(server, 'getOAuth2LoginRequest', { query: { login_challenge: challenge } });
    return res.body.skip as boolean;
  }

  const hasSessionCookie = (driver: FlowDriver) =>
    [...driver.jar.keys()].some((k) => k.startsWith('ory_hydra_session'));

  it('RP-initiated: hint, post_logout_redirect_uri and state; the logout request; front- and back-channel; signed out', async () => {
    const client = await rpClient({ frontchannel_logout_uri: `${rp.url}/fc?app=1` });
    const driver = new FlowDriver(server);
    const { idToken, sid } = await signIn(driver, client);
    expect(hasSessionCookie(driver)).to.equal(true);
    expect(await loginSkipped(new FlowDriver(server), client)).to.equal(false);

    const start = await driver.hop(
      logoutUrl({ id_token_hint: idToken, post_logout_redirect_uri: LOGGED_OUT, state: 'st-1 2' }),
    );
    const challenge = challengeOf(start);
    const got = await call(server, 'getOAuth2LogoutRequest', { query: { logout_challenge: challenge } });
    expect(got.status, got.text).to.equal(200);
    expect(Object.keys(got.body)).to.deep.equal([
      'challenge',
      'subject',
      'sid',
      'request_url',
      'rp_initiated',
      'expires_at',
      'requested_at',
      'client',
    ]);
    expect(got.body).to.include({ challenge, subject: 'alice@example.com', sid, rp_initiated: true });
    expect(got.body.client.client_id).to.equal(client.client_id);
    expect(got.body.client).to.not.have.property('client_secret');
    expect(got.body.request_url).to.match(/^http:\/\/127\.0\.0\.1:4444\/oauth2\/sessions\/logout\?/);
    // The alias `challenge` reads the same request.
    const alias = await call(server, 'getOAuth2LogoutRequest', { query: { challenge } });
    expect(alias.body.sid).to.equal(sid);

    const redirectTo = await accept(challenge);
    expect(redirectTo).to.match(
      /^http:\/\/127\.0\.0\.1:4444\/oauth2\/sessions\/logout\?logout_verifier=[\w-]+$/,
    );
    const done = await driver.hop(redirectTo);
    // Front-channel: a page with the relying party's iframe (iss and sid), then on to the post-logout URI.
    expect(done.status, done.text).to.equal(200);
    expect(done.headers.get('content-type')).to.match(/^text\/html/);
    const iss = encodeURIComponent(server.config.issuer);
    expect(done.text).to.include(`<iframe src="${rp.url}/fc?app=1&amp;iss=${iss}&amp;sid=${sid}"`);
    expect(done.text).to.include(`href="${LOGGED_OUT}?state=st-1+2"`);
    expect(done.text).to.include(`<meta http-equiv="refresh" content="7;url=${LOGGED_OUT}?state=st-1+2">`);
    expect(hasSessionCookie(driver), 'the session cookie is cleared').to.equal(false);

    // Back-channel: one logout token, verified with the published keys.
    const [delivery] = await rp.until(bcPath(client));
    expect(delivery!.contentType).to.equal('application/x-www-form-urlencoded');
    const token = delivery!.form.get('logout_token')!;
    const published = await call(server, 'discoverJsonWebKeys');
    expect(published.status).to.equal(200);
    const jwks = createLocalJWKSet(published.body);
    const { payload, protectedHeader } = await jwtVerify(token, jwks, {
      issuer: server.config.issuer,
      audience: client.client_id,
    });
    expect(protectedHeader).to.include({ alg: 'RS256', typ: 'JWT' });
    expect(decodeProtectedHeader(token).kid).to.be.a('string');
    expect(Object.keys(payload).sort()).to.deep.equal(['aud', 'events', 'iat', 'iss', 'jti', 'sid']);
    expect(payload.aud).to.deep.equal([client.client_id]);
    expect(payload.sid).to.equal(sid);
    expect(payload.events).to.deep.equal({ [EVENT]: {} });
    expect(payload.jti).to.match(/^[0-9a-f-]{36}$/);

    // The session is over: the next authorization request asks for a login again.
    expect(await loginSkipped(driver, client)).to.equal(false);
    // The request is used: 410 with the logout URL, for GET and accept; the verifier again leads on.
    const gone = await call(server, 'getOAuth2LogoutRequest', { query: { logout_challenge: challenge } });
    expect(gone.status).to.equal(410);
    expect(gone.body).to.deep.equal({ redirect_to: got.body.request_url });
    const acceptGone = await call(server, 'acceptOAuth2LogoutRequest', {
      query: { logout_challenge: challenge },
    });
    expect(acceptGone.status).to.equal(410);
    const again = await driver.hop(redirectTo);
    expect(again.status).to.equal(302);
    expect(again.location).to.equal(`${LOGGED_OUT}?state=st-1+2`);
  });

  it('OP-initiated: the session cookie alone; without a session straight to urls.post_logout_redirect', async () => {
    const client = await webClient(server);
    const fallback = new URL('oauth2/fallbacks/logout/callback', server.config.issuer).href;
    const stranger = new FlowDriver(server);
    const none = await stranger.hop(logoutUrl({}));
    expect(none.status).to.equal(302);
    expect(none.location).to.equal(stranger.rebase(fallback));

    const driver = new FlowDriver(server);
    const { sid } = await signIn(driver, client);
    const challenge = challengeOf(await driver.hop(logoutUrl({})));
    const got = await call(server, 'getOAuth2LogoutRequest', { query: { logout_challenge: challenge } });
    expect(got.body).to.include({ sid, rp_initiated: false, client: null });
    const done = await driver.hop(await accept(challenge));
    expect(done.status, done.text).to.equal(302);
    expect(done.location).to.equal(driver.rebase(fallback));
    expect(hasSessionCookie(driver)).to.equal(false);
    expect(await loginSkipped(driver, client)).to.equal(false);

    // The default post-logout page.
    const page = await driver.hop(fallback);
    expect(page.status).to.equal(200);
    expect(page.text).to.include('You are signed out');
  });

  it('POST with a form is the same request (RP-Initiated Logout 1.0 §2)', async () => {
    const client = await rpClient();
    const driver = new FlowDriver(server);
    const { idToken } = await signIn(driver, client);
    const res = await driver.hop(logoutUrl({}), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        id_token_hint: idToken,
        post_logout_redirect_uri: LOGGED_OUT,
        state: 'form-state',
      }).toString(),
    });
    const challenge = challengeOf(res);
    const done = await driver.hop(await accept(challenge));
    expect(done.location).to.equal(`${LOGGED_OUT}?state=form-state`);
  });

  describe('errors go to urls.error (302, invalid_request)', () => {
    let client: CreatedClient;
    let idToken: string;
    before(async () => {
      client = await rpClient();
      ({ idToken } = await signIn(new FlowDriver(server), client));
    });

    async function expectError(
      params: Record<string, string>,
      description: RegExp,
      error = 'invalid_request',
    ) {
      const hop = await new FlowDriver(server).hop(logoutUrl(params));
      expect(hop.status, hop.text).to.equal(302);
      const to = new URL(hop.location!);
      expect(`${to.origin}${to.pathname}`).to.equal(ERROR_URL);
      expect(to.searchParams.get('error')).to.equal(error);
      expect(to.searchParams.get('error_description')).to.match(description);
      expect(to.searchParams.has('state')).to.equal(false);
    }

    it('state without id_token_hint', () =>
      expectError(
        { state: 'abcdefgh' },
        /Logout failed because query parameter state is set but id_token_hint is missing\.$/,
      ));

    it('post_logout_redirect_uri without id_token_hint (or client_id)', () =>
      expectError(
        { post_logout_redirect_uri: LOGGED_OUT },
        /Logout failed because query parameter post_logout_redirect_uri is set but id_token_hint is missing\.$/,
      ));

    it('a hint that is not a JWT signed by this server', () =>
      expectError({ id_token_hint: 'not.a.jwt' }, /id_token_hint is invalid/));

    it('a hint without sid (a signed userinfo JWT)', async () => {
      const signed = await rpClient({ userinfo_signed_response_alg: 'RS256' });
      const driver = new FlowDriver(server);
      const { params } = await driver.login(
        {
          client_id: signed.client_id,
          response_type: 'code',
          redirect_uri: REDIRECT,
          scope: 'openid',
          state: randomState(),
        },
        { subject: 'alice@example.com' },
      );
      const tokens = await exchangeCode(server, signed, {
        code: params.get('code')!,
        redirect_uri: REDIRECT,
      });
      const res = await fetch(new URL('/userinfo', server.publicUrl), {
        headers: { authorization: `Bearer ${tokens.body.access_token}` },
      });
      const jwt = await res.text();
      await expectError(
        { id_token_hint: jwt },
        /Logout failed because query parameter id_token_hint is missing sid claim\.$/,
      );
    });

    it('a post_logout_redirect_uri the client did not register', () =>
      expectError(
        { id_token_hint: idToken, post_logout_redirect_uri: 'http://127.0.0.1:5555/other' },
        /is not a whitelisted as a post_logout_redirect_uri for the client\.$/,
      ));

    it('a hint whose audience is no longer a client', async () => {
      const gone = await rpClient();
      const { idToken: orphan } = await signIn(new FlowDriver(server), gone);
      const del = await call(server, 'deleteOAuth2Client', { params: { id: gone.client_id } });
      expect(del.status).to.equal(204);
      await expectError(
        { id_token_hint: orphan },
        /none of the listed audiences is a registered OAuth 2\.0 Client\.$/,
      );
    });

    it('client_id naming no client', () =>
      expectError(
        { client_id: 'no-such-client', post_logout_redirect_uri: LOGGED_OUT },
        /client_id does not name a registered/,
      ));

    it("a client_id that is not the hint's audience (RP-Initiated Logout 1.0 §2)", async () => {
      const other = await rpClient();
      await expectError(
        { id_token_hint: idToken, client_id: other.client_id, post_logout_redirect_uri: LOGGED_OUT },
        /client_id does not match the audience of id_token_hint/,
      );
    });
  });

  describe('admin logout requests', () => {
    it('400 without a challenge, 404 for an unknown one', async () => {
      const missing = await call(server, 'getOAuth2LogoutRequest');
      expect(missing.status).to.equal(400);
      expect(missing.body.error).to.equal('invalid_request');
      for (const op of ['getOAuth2LogoutRequest', 'acceptOAuth2LogoutRequest', 'rejectOAuth2LogoutRequest']) {
        const res = await call(server, op, { query: { logout_challenge: 'unknown-challenge' } });
        expect(res.status, op).to.equal(404);
        expect(res.body).to.deep.equal({
          error: 'Not Found',
          error_description: 'Unable to locate the requested resource',
        });
      }
    });

    it('reject: 204, the request is gone (404), the user stays signed in', async () => {
      const client = await rpClient();
      const driver = new FlowDriver(server);
      const { idToken } = await signIn(driver, client);
      const challenge = challengeOf(await driver.hop(logoutUrl({ id_token_hint: idToken })));
      const rejected = await call(server, 'rejectOAuth2LogoutRequest', {
        query: { logout_challenge: challenge },
      });
      expect(rejected.status).to.equal(204);
      expect(rejected.text).to.equal('');
      for (const op of ['getOAuth2LogoutRequest', 'acceptOAuth2LogoutRequest', 'rejectOAuth2LogoutRequest']) {
        expect((await call(server, op, { query: { logout_challenge: challenge } })).status, op).to.equal(404);
      }
      expect(await loginSkipped(driver, client)).to.equal(true);
    });

    it('a verifier that was never accepted goes to urls.error as Not Found', async () => {
      const hop = await new FlowDriver(server).hop(logoutUrl({ logout_verifier: 'forged-verifier' }));
      expect(hop.status).to.equal(302);
      const to = new URL(hop.location!);
      expect(to.searchParams.get('error')).to.equal('Not Found');
      expect(to.searchParams.get('error_description')).to.equal('Unable to locate the requested resource');
    });
  });

  it('the janitor removes logout requests past their lifespan', async () => {
    const client = await rpClient();
    const driver = new FlowDriver(server);
    const { idToken } = await signIn(driver, client);
    const challenge = challengeOf(await driver.hop(logoutUrl({ id_token_hint: idToken })));
    const knex = createKnex(parsePostgresDsn(server.dsn, 1));
    try {
      const bounds = { batchSize: 100, limit: 1000, requestTtlMs: 30 * 60_000 };
      expect((await deleteInactiveRequests(knex, bounds)).logoutRequests).to.equal(0);
      const later = new Date(Date.now() + 31 * 60_000);
      expect((await deleteInactiveRequests(knex, { ...bounds, now: later })).logoutRequests).to.be.at.least(
        1,
      );
    } finally {
      await knex.destroy();
    }
    const gone = await call(server, 'getOAuth2LogoutRequest', { query: { logout_challenge: challenge } });
    expect(gone.status).to.equal(404);
  });

  it('an accepted request past ttl.login_consent_request: 410 on the admin API, request_unauthorized on completion', async () => {
    const client = await rpClient();
    const driver = new FlowDriver(server);
    const { idToken } = await signIn(driver, client);
    const challenge = challengeOf(await driver.hop(logoutUrl({ id_token_hint: idToken })));
    const redirectTo = await accept(challenge);
    const knex = createKnex(parsePostgresDsn(server.dsn, 1));
    try {
      await knex('oauth2_logout_requests')
        .where({ challenge })
        .update({ expires_at: new Date(Date.now() - 60_000) });
    } finally {
      await knex.destroy();
    }
    const got = await call(server, 'getOAuth2LogoutRequest', { query: { logout_challenge: challenge } });
    expect(got.status).to.equal(410);
    expect(got.body.redirect_to).to.match(/\/oauth2\/sessions\/logout\?id_token_hint=/);
    const done = await driver.hop(redirectTo);
    expect(done.status).to.equal(302);
    const to = new URL(done.location!);
    expect(`${to.origin}${to.pathname}`).to.equal(ERROR_URL);
    expect(to.searchParams.get('error')).to.equal('request_unauthorized');
    expect(to.searchParams.get('error_description')).to.equal(
      'The request could not be authorized. The logout request has expired, please try the flow again.',
    );
    // Nothing was ended: the session is still remembered.
    expect(await loginSkipped(driver, client)).to.equal(true);
  });

  describe('where Tollgate does better than Hydra', () => {
    it('a hint logout after a remember:false login still ends that session and tells the relying party', async () => {
      const client = await rpClient();
      const driver = new FlowDriver(server);
      const { idToken, sid } = await signIn(driver, client, { remember: false });
      expect(hasSessionCookie(driver)).to.equal(false);
      // Hydra redirects straight to the post-logout URI here, with no logout at all (ory/hydra#3132).
      const challenge = challengeOf(
        await driver.hop(
          logoutUrl({ id_token_hint: idToken, post_logout_redirect_uri: LOGGED_OUT, state: 'nr' }),
        ),
      );
      const done = await driver.hop(await accept(challenge));
      expect(done.location).to.equal(`${LOGGED_OUT}?state=nr`);
      const [delivery] = await rp.until(bcPath(client));
      const claims = JSON.parse(
        Buffer.from(delivery!.form.get('logout_token')!.split('.')[1]!, 'base64url').toString(),
      );
      expect(claims.sid).to.equal(sid);
      // The session row is gone: a headless logout of that sid tells nobody again.
      const second = await driver.hop(
        logoutUrl({ id_token_hint: idToken, post_logout_redirect_uri: LOGGED_OUT, state: 'nr2' }),
      );
      expect(second.status).to.equal(302);
      expect(second.location).to.equal(`${LOGGED_OUT}?state=nr2`);
    });

    it('a second logout with the same hint redirects to the post-logout URI with state, no error', async () => {
      const client = await rpClient();
      const driver = new FlowDriver(server);
      const { idToken } = await signIn(driver, client);
      await driver.hop(await accept(challengeOf(await driver.hop(logoutUrl({ id_token_hint: idToken })))));
      const again = await new FlowDriver(server).hop(
        logoutUrl({ id_token_hint: idToken, post_logout_redirect_uri: LOGGED_OUT, state: 'second-time' }),
      );
      expect(again.status).to.equal(302);
      expect(again.location).to.equal(`${LOGGED_OUT}?state=second-time`);
    });

    it('client_id makes post_logout_redirect_uri and state work without id_token_hint (ory/hydra#3426)', async () => {
      const client = await rpClient();
      const params = {
        client_id: client.client_id,
        post_logout_redirect_uri: LOGGED_OUT,
        state: 'by-client-id',
      };
      // No session in this browser: straight back to the client.
      const none = await new FlowDriver(server).hop(logoutUrl(params));
      expect(none.location).to.equal(`${LOGGED_OUT}?state=by-client-id`);

      const driver = new FlowDriver(server);
      await signIn(driver, client);
      const challenge = challengeOf(await driver.hop(logoutUrl(params)));
      const got = await call(server, 'getOAuth2LogoutRequest', { query: { logout_challenge: challenge } });
      expect(got.body.client.client_id).to.equal(client.client_id);
      const done = await driver.hop(await accept(challenge));
      expect(done.location).to.equal(`${LOGGED_OUT}?state=by-client-id`);
      expect(await loginSkipped(driver, client)).to.equal(false);
    });

    it('the browser is signed out even when a newer login of the same user replaced the hinted one (ory/hydra#3820)', async () => {
      const client = await rpClient();
      const driver = new FlowDriver(server);
      const first = await signIn(driver, client);
      const second = await signIn(driver, client, { remember: true }, { prompt: 'login' });
      expect(second.sid).to.not.equal(first.sid);
      const challenge = challengeOf(await driver.hop(logoutUrl({ id_token_hint: first.idToken })));
      await driver.hop(await accept(challenge));
      expect(hasSessionCookie(driver)).to.equal(false);
      // Hydra keeps the newer session in the cookie, and this request would skip the login.
      expect(await loginSkipped(driver, client)).to.equal(false);
      const path = bcPath(client);
      const sids = (await rp.until(path, 2)).map(
        (c) =>
          JSON.parse(Buffer.from(c.form.get('logout_token')!.split('.')[1]!, 'base64url').toString()).sid,
      );
      expect(sids.sort()).to.deep.equal([first.sid, second.sid].sort());
    });
  });

  it('skip_logout_consent: the request is accepted without the logout UI', async () => {
    const client = await rpClient({ skip_logout_consent: true });
    const driver = new FlowDriver(server);
    const { idToken } = await signIn(driver, client);
    const start = await driver.hop(
      logoutUrl({ id_token_hint: idToken, post_logout_redirect_uri: LOGGED_OUT, state: 'skip' }),
    );
    expect(start.status).to.equal(302);
    expect(start.location).to.match(/\/oauth2\/sessions\/logout\?logout_verifier=/);
    const done = await driver.hop(start.location!);
    expect(done.location).to.equal(`${LOGGED_OUT}?state=skip`);
    expect(await loginSkipped(driver, client)).to.equal(false);
  });

  it('skip_logout_consent needs id_token_hint: client_id alone (a cross-site link) still asks the user', async () => {
    // RP-Initiated Logout 1.0 §2: without id_token_hint the OP MUST ask; anyone can name a client_id.
    const client = await rpClient({ skip_logout_consent: true });
    const driver = new FlowDriver(server);
    await signIn(driver, client);
    const challenge = challengeOf(await driver.hop(logoutUrl({ client_id: client.client_id })));
    expect(challenge).to.be.a('string').and.not.equal('');
    expect(await loginSkipped(driver, client)).to.equal(true);
  });

  it("skip_logout_consent does not sign a browser out without asking when the hint is another user's", async () => {
    // RP-Initiated Logout 1.0 §2: the OP MUST ask when the ID token does not belong to the browser's session;
    // else a site holding any ID token of its own could clear every visitor's session cookie.
    const client = await rpClient({ skip_logout_consent: true });
    const mallory = new FlowDriver(server);
    const { params } = await mallory.login(
      {
        client_id: client.client_id,
        response_type: 'code',
        redirect_uri: REDIRECT,
        scope: 'openid',
        state: randomState(),
        nonce: 'nonce-0123456789',
      },
      { subject: 'mallory@example.com', login: { remember: true } },
    );
    const res = await exchangeCode(server, client, { code: params.get('code')!, redirect_uri: REDIRECT });
    const victim = new FlowDriver(server);
    await signIn(victim, client);
    const start = await victim.hop(logoutUrl({ id_token_hint: res.body.id_token as string }));
    challengeOf(start);
    expect(hasSessionCookie(victim)).to.equal(true);
    expect(await loginSkipped(victim, client)).to.equal(true);
  });

  describe('back-channel delivery', () => {
    it('retries a failing relying party a bounded number of times, then logs without the token', async () => {
      const client = await rpClient({}, 'fail');
      const path = bcPath(client);
      const driver = new FlowDriver(server);
      const { idToken } = await signIn(driver, client);
      const done = await driver.hop(
        await accept(challengeOf(await driver.hop(logoutUrl({ id_token_hint: idToken })))),
      );
      expect(done.status).to.equal(302);
      await rp.until(path, 3);
      // The bound (3 attempts, all within 10 s) has passed once the failure is logged.
      const end = Date.now() + 40_000;
      while (
        !server.logs.some((l) => l.includes('back-channel logout failed') && l.includes(client.client_id))
      ) {
        if (Date.now() > end) throw new Error('no failure logged');
        await sleep(100);
      }
      expect(rp.to(path)).to.have.length(3);
      const line = server.logs.find(
        (l) => l.includes('back-channel logout failed') && l.includes(client.client_id),
      )!;
      expect(line).to.include('HTTP 500');
      const token = rp.to(path)[0]!.form.get('logout_token')!;
      expect(server.logs.join('\n')).to.not.include(token.split('.')[2]!);
    });

    it('never delays the redirect: a relying party that does not answer is still waiting when the browser has left', async () => {
      const client = await rpClient({}, 'hang');
      const path = bcPath(client);
      const driver = new FlowDriver(server);
      const { idToken } = await signIn(driver, client);
      const redirectTo = await accept(
        challengeOf(
          await driver.hop(
            logoutUrl({ id_token_hint: idToken, post_logout_redirect_uri: LOGGED_OUT, state: 'fast' }),
          ),
        ),
      );
      const done = await driver.hop(redirectTo);
      expect(done.location).to.equal(`${LOGGED_OUT}?state=fast`);
      // The delivery reached the relying party, which has not answered it yet (it answers when the suite ends).
      await rp.until(path, 1);
      expect(rp.hanging.length).to.be.greaterThan(0);
    });

    it('DELETE /admin/oauth2/auth/sessions/login?sid= tells the relying parties; ?subject= does not', async () => {
      const silent = await rpClient();
      const told = await rpClient();
      const silentPath = bcPath(silent);
      const toldPath = bcPath(told);
      const a = new FlowDriver(server);
      await signIn(a, silent, { remember: true }, {});
      // Another subject's session, ended by sid.
      const b = new FlowDriver(server);
      const { params } = await b.login(
        {
          client_id: told.client_id,
          response_type: 'code',
          redirect_uri: REDIRECT,
          scope: 'openid',
          state: randomState(),
        },
        { subject: 'bob@example.com', login: { remember: true } },
      );
      const tokens = await exchangeCode(server, told, { code: params.get('code')!, redirect_uri: REDIRECT });
      const sid = JSON.parse(Buffer.from(tokens.body.id_token.split('.')[1], 'base64url').toString()).sid;

      const bySubject = await call(server, 'revokeOAuth2LoginSessions', {
        query: { subject: 'alice@example.com' },
      });
      expect(bySubject.status).to.equal(204);
      const bySid = await call(server, 'revokeOAuth2LoginSessions', { query: { sid } });
      expect(bySid.status).to.equal(204);
      await rp.until(toldPath, 1);
      expect(rp.to(silentPath)).to.have.length(0);
      expect(await loginSkipped(a, silent)).to.equal(false);
      expect(await loginSkipped(b, told)).to.equal(false);
      // An unknown sid: 204, nothing to tell.
      const unknown = await call(server, 'revokeOAuth2LoginSessions', {
        query: { sid: '00000000-0000-4000-8000-000000000000' },
      });
      expect(unknown.status).to.equal(204);
    });
  });
});

describe('back-channel logout under the default outbound policy', function () {
  this.timeout(90_000);
  let server: TestServer;
  let rp: RelyingParty;

  before(async () => {
    rp = new RelyingParty();
    await rp.start();
    server = await startTestServer({
      'urls.login': 'http://127.0.0.1:9/login',
      'urls.consent': 'http://127.0.0.1:9/consent',
      'urls.logout': LOGOUT_UI,
    });
  });
  after(async () => {
    await server?.close();
    await rp?.stop();
  });

  it('never reaches a loopback relying party (clients.http.disallow_private_ip_ranges defaults to true), and says so in the log', async () => {
    const client = await webClient(server, { backchannel_logout_uri: `${rp.url}/bc/ok/ssrf?secret=s3cr3t` });
    const driver = new FlowDriver(server);
    const { params } = await driver.login(
      {
        client_id: client.client_id,
        response_type: 'code',
        redirect_uri: REDIRECT,
        scope: 'openid',
        state: randomState(),
      },
      { subject: 'alice@example.com', login: { remember: true } },
    );
    // The ID token makes the server create its signing key now (RSA-4096, slow on a busy machine), not while
    // the logout token is signed.
    const tokens = await exchangeCode(server, client, { code: params.get('code')!, redirect_uri: REDIRECT });
    expect(tokens.body.id_token).to.be.a('string');
    const hop = await driver.hop(new URL('/oauth2/sessions/logout', server.publicUrl).href);
    const challenge = new URL(hop.location!).searchParams.get('logout_challenge')!;
    const accepted = await call(server, 'acceptOAuth2LogoutRequest', {
      query: { logout_challenge: challenge },
    });
    const done = await driver.hop(accepted.body.redirect_to);
    expect(done.status).to.equal(302);
    const end = Date.now() + 40_000;
    const failed = () => server.logs.find((l) => l.includes('back-channel logout failed'));
    while (!failed()) {
      if (Date.now() > end) throw new Error('no failure logged');
      await sleep(50);
    }
    expect(failed()).to.match(/private, loopback or link-local/);
    expect(failed()).to.not.include('s3cr3t');
    expect(rp.calls).to.deep.equal([]);
  });
});
