// Hydra's login and consent admin API on a real server and PostgreSQL (Hydra's consent/handler.go and consent/strategy_default.go): the nine
// operations' answers (bodies in Hydra's key order, 400/404/410), skipping with remembered sessions and
// consents, the CSRF cookie with its diagnosis, and consent sessions that take their tokens with them.
import { get } from 'node:http';
import { expect } from 'chai';
import { call } from '../helpers/api.js';
import { exchangeCode, FlowDriver, pkcePair, randomState, webClient } from '../helpers/flow-driver.js';
import {
  CONSENT_REQUEST_KEYS,
  CONSENT_SESSION_KEYS,
  LOGIN_REQUEST_KEYS,
} from '../helpers/hydra-flow-shapes.js';
import type { CreatedClient } from '../helpers/oauth2.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const NOT_FOUND = { error: 'Not Found', error_description: 'Unable to locate the requested resource' };
const NO_CHALLENGE =
  "The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed. Query parameter 'challenge' is not defined but should have been.";

describe('login and consent: Hydra’s admin API on a real server', () => {
  let server: TestServer;
  let client: CreatedClient;
  const params = (extra: Record<string, string> = {}) => ({
    client_id: client.client_id,
    response_type: 'code',
    redirect_uri: 'http://127.0.0.1:5555/cb',
    scope: 'openid offline_access',
    state: randomState(),
    ...extra,
  });

  before(async () => {
    server = await startTestServer({
      'urls.login': 'http://login.test/login',
      'urls.consent': 'http://login.test/consent',
    });
    client = await webClient(server);
  });
  after(async () => {
    await server?.close();
  });

  it('answers GET login in Hydra’s key order, with the challenge under either name and without /admin', async () => {
    const driver = new FlowDriver(server);
    const { challenge, hop } = await driver.startLogin(
      params({ login_hint: 'foo@bar.com', ui_locales: 'de en' }),
    );
    expect(hop.location).to.match(/^http:\/\/login\.test\/login\?login_challenge=[A-Za-z0-9_-]{22}$/);
    expect(hop.headers.getSetCookie().some((c) => c.startsWith('ory_hydra_login_csrf_dev_'))).to.equal(true);
    for (const query of [{ login_challenge: challenge }, { challenge }] as Record<string, string>[]) {
      const res = await call(server, 'getOAuth2LoginRequest', { query });
      expect(res.status, res.text).to.equal(200);
      expect(Object.keys(res.body)).to.deep.equal(LOGIN_REQUEST_KEYS);
      expect(res.body.oidc_context).to.deep.equal({ ui_locales: ['de', 'en'], login_hint: 'foo@bar.com' });
      expect(res.body.client.client_id).to.equal(client.client_id);
      expect(res.body.client).to.not.have.property('client_secret');
    }
    const alias = await call(server, 'getOAuth2LoginRequest', { query: { challenge }, unprefixed: true });
    expect(alias.status).to.equal(200);
  });

  it('answers 400 without a challenge, 404 for an unknown one, on all six request operations', async () => {
    for (const operationId of ['getOAuth2LoginRequest', 'getOAuth2ConsentRequest']) {
      const missing = await call(server, operationId);
      expect(missing.status).to.equal(400);
      expect(missing.body).to.deep.equal({ error: 'invalid_request', error_description: NO_CHALLENGE });
      const unknown = await call(server, operationId, { query: { challenge: 'AAAAAAAAAAAAAAAAAAAAAA' } });
      expect(unknown.status).to.equal(404);
      expect(unknown.body).to.deep.equal(NOT_FOUND);
    }
    for (const operationId of [
      'acceptOAuth2ConsentRequest',
      'rejectOAuth2LoginRequest',
      'rejectOAuth2ConsentRequest',
    ]) {
      const unknown = await call(server, operationId, { query: { challenge: 'nope' }, json: {} });
      expect(unknown.status).to.equal(404);
      expect(unknown.body).to.deep.equal(NOT_FOUND);
    }
    const empty = await call(server, 'acceptOAuth2LoginRequest', { query: { challenge: 'nope' }, json: {} });
    expect(empty.status).to.equal(400);
    expect(empty.body.error_description).to.contain("Field 'subject' must not be empty.");
  });

  it('runs login, consent and the code exchange, and 410s the used requests with the restart URL', async () => {
    const driver = new FlowDriver(server);
    const pkce = pkcePair();
    const start = params({ code_challenge: pkce.challenge, code_challenge_method: 'S256' });
    const { challenge } = await driver.startLogin(start);
    const afterLogin = await driver.decide('acceptOAuth2LoginRequest', challenge, {
      subject: 'foo@bar.com',
      acr: '1',
      amr: ['pwd'],
    });
    expect(afterLogin).to.match(/[?&]login_verifier=[A-Za-z0-9_-]{43}(&|$)/);
    const { challenge: consentChallenge } = await driver.toConsent(afterLogin);
    const consent = await call(server, 'getOAuth2ConsentRequest', {
      query: { consent_challenge: consentChallenge },
    });
    expect(consent.status).to.equal(200);
    expect(Object.keys(consent.body)).to.deep.equal(CONSENT_REQUEST_KEYS);
    expect(consent.body).to.include({
      subject: 'foo@bar.com',
      acr: '1',
      skip: false,
      login_challenge: challenge,
    });
    const afterConsent = await driver.decide('acceptOAuth2ConsentRequest', consentChallenge, {
      grant_scope: ['openid', 'offline_access'],
    });
    const final = await driver.hop(afterConsent);
    expect(final.status).to.equal(303);
    const code = new URL(final.location!).searchParams.get('code')!;
    const tokens = await exchangeCode(server, client, {
      code,
      redirect_uri: start.redirect_uri,
      code_verifier: pkce.verifier,
    });
    expect(tokens.status, tokens.text).to.equal(200);

    const restart = (await call(server, 'getOAuth2LoginRequest', { query: { challenge } })).body;
    expect(restart.redirect_to).to.match(/^http:\/\/127\.0\.0\.1:4444\/oauth2\/auth\?/);
    for (const [operationId, c, body] of [
      ['getOAuth2LoginRequest', challenge, undefined],
      ['acceptOAuth2LoginRequest', challenge, { subject: 'foo@bar.com' }],
      ['rejectOAuth2LoginRequest', challenge, {}],
      ['getOAuth2ConsentRequest', consentChallenge, undefined],
      ['acceptOAuth2ConsentRequest', consentChallenge, {}],
      ['rejectOAuth2ConsentRequest', consentChallenge, {}],
    ] as const) {
      const res = await call(server, operationId, {
        query: { challenge: c },
        ...(body ? { json: body } : {}),
      });
      expect(res.status, operationId).to.equal(410);
      expect(Object.keys(res.body)).to.deep.equal(['redirect_to']);
    }
    // The consent verifier redeems once.
    const again = await driver.hop(afterConsent);
    expect(new URL(again.location!).searchParams.get('error')).to.equal('access_denied');
  });

  it('skips login and consent when remembered, and re-asks for another subject with prompt=login', async () => {
    const driver = new FlowDriver(server);
    const first = await driver.login(params(), {
      login: { remember: true, remember_for: 3600 },
      consent: { remember: true, session: { id_token: { email: 'foo@bar.com' } } },
    });
    expect(first.params.get('code')).to.be.a('string');
    expect([...driver.jar.keys()]).to.include('ory_hydra_session_dev');

    const { challenge } = await driver.startLogin(params());
    const login = await call(server, 'getOAuth2LoginRequest', { query: { challenge } });
    expect(login.body).to.include({ skip: true, subject: 'foo@bar.com' });
    const other = await driver.decide('acceptOAuth2LoginRequest', challenge, { subject: 'bar@baz.com' });
    expect(new URL(other).searchParams.get('prompt')).to.equal('login');
    expect(new URL(other).searchParams.has('login_verifier')).to.equal(false);

    const afterLogin = await driver.decide('acceptOAuth2LoginRequest', challenge, { subject: 'foo@bar.com' });
    const { challenge: consentChallenge } = await driver.toConsent(afterLogin);
    const consent = await call(server, 'getOAuth2ConsentRequest', { query: { challenge: consentChallenge } });
    expect(consent.body.skip).to.equal(true);
    expect(consent.body.login_session_id).to.equal(login.body.session_id);
  });

  it('answers prompt=none without a session with login_required at the client', async () => {
    const hop = await new FlowDriver(server).authorize(params({ prompt: 'none' }));
    expect(hop.status).to.equal(303);
    const error = new URL(hop.location!).searchParams;
    expect(error.get('error')).to.equal('login_required');
    expect(error.get('error_description')).to.contain("Prompt 'none' was requested");
  });

  it('refuses a login verifier without the CSRF cookie, with Hydra’s message and a diagnosis', async () => {
    const driver = new FlowDriver(server);
    const { challenge } = await driver.startLogin(params());
    const afterLogin = await driver.decide('acceptOAuth2LoginRequest', challenge, { subject: 'foo@bar.com' });
    const stranger = new FlowDriver(server);
    const hop = await stranger.hop(afterLogin);
    expect(hop.status).to.equal(303);
    const error = new URL(hop.location!).searchParams;
    expect(error.get('error')).to.equal('request_forbidden');
    expect(error.get('error_description')).to.match(
      /^The request is not allowed\. No CSRF value available in the session cookie\. The browser sent no cookies at all/,
    );
    // The right browser can still finish.
    expect((await driver.toConsent(afterLogin)).challenge).to.be.a('string');
  });

  it('names a localhost / 127.0.0.1 mix-up: the flow started on one host name and came back on the other', async () => {
    // fetch cannot send another Host; node:http can. A browser keeps the cookie this sets for `localhost`.
    const url = new URL('/oauth2/auth', server.publicUrl);
    for (const [k, v] of Object.entries(params())) url.searchParams.set(k, v);
    const location = await new Promise<string>((resolve, reject) => {
      get(url, { headers: { host: `localhost:${url.port}` } }, (res) => {
        res.resume();
        resolve(res.headers.location ?? '');
      }).on('error', reject);
    });
    const challenge = new URL(location).searchParams.get('login_challenge')!;
    const driver = new FlowDriver(server);
    const afterLogin = await driver.decide('acceptOAuth2LoginRequest', challenge, { subject: 'foo@bar.com' });
    const hop = await driver.hop(afterLogin);
    const error = new URL(hop.location!).searchParams;
    expect(error.get('error')).to.equal('request_forbidden');
    expect(error.get('error_description')).to.contain(
      "This authorization request started on host 'localhost' and came back on '127.0.0.1'",
    );
  });

  it('sends the reject defaults to the client', async () => {
    const driver = new FlowDriver(server);
    const start = params();
    const { challenge } = await driver.startLogin(start);
    const rejected = await driver.decide('rejectOAuth2LoginRequest', challenge, {});
    const hop = await driver.hop(rejected);
    const error = new URL(hop.location!).searchParams;
    expect(error.get('error')).to.equal('login request denied');
    expect(error.get('error_description')).to.equal('');
    expect(error.get('state')).to.equal(start.state);
  });

  it('lists consent sessions with a Link header, and revoking them revokes their tokens', async () => {
    const subject = `user-${Date.now()}`;
    const refreshTokens: string[] = [];
    for (let i = 0; i < 2; i++) {
      const driver = new FlowDriver(server);
      const start = params();
      const { params: result } = await driver.login(start, { subject });
      const tokens = await exchangeCode(server, client, {
        code: result.get('code')!,
        redirect_uri: start.redirect_uri,
      });
      expect(tokens.status, tokens.text).to.equal(200);
      refreshTokens.push(tokens.body.refresh_token);
    }
    const missing = await call(server, 'listOAuth2ConsentSessions', { query: {} as Record<string, string> });
    expect(missing.status).to.equal(400);
    const page = await call(server, 'listOAuth2ConsentSessions', { query: { subject, page_size: '1' } });
    expect(page.status).to.equal(200);
    expect(page.body).to.have.length(1);
    expect(Object.keys(page.body[0])).to.deep.equal(CONSENT_SESSION_KEYS);
    const link = page.headers.get('link') ?? '';
    expect(link).to.match(/^<\/admin\/oauth2\/auth\/sessions\/consent\?[^>]*>; rel="first",</);
    const next = /<([^>]*)>; rel="next"/.exec(link)![1]!;
    const nextPage = await call(server, 'listOAuth2ConsentSessions', {
      query: Object.fromEntries(new URL(next, 'http://link.invalid').searchParams),
    });
    expect(nextPage.body).to.have.length(1);
    expect(nextPage.body[0].consent_request_id).to.not.equal(page.body[0].consent_request_id);

    const bad = await call(server, 'revokeOAuth2ConsentSessions', { query: { subject } });
    expect(bad.status).to.equal(400);
    expect(bad.body.error_description).to.contain('Invalid combination of query parameters.');
    const revoked = await call(server, 'revokeOAuth2ConsentSessions', {
      query: { subject, client: client.client_id },
    });
    expect(revoked.status).to.equal(204);
    const after = await call(server, 'listOAuth2ConsentSessions', { query: { subject } });
    expect(after.body).to.deep.equal([]);
    // The grant's tokens went with it (ory/hydra#1808).
    const refreshed = await call(server, 'oauth2TokenExchange', {
      form: { grant_type: 'refresh_token', refresh_token: refreshTokens[0]! },
      basic: [client.client_id, client.client_secret!],
    });
    expect(refreshed.status).to.equal(400);
    expect(refreshed.body.error).to.equal('invalid_grant');
  });

  it('revokes login sessions by subject: the next request asks for a login', async () => {
    const driver = new FlowDriver(server);
    await driver.login(params(), { subject: 'revoked@bar.com', login: { remember: true } });
    const missing = await call(server, 'revokeOAuth2LoginSessions');
    expect(missing.status).to.equal(400);
    const revoked = await call(server, 'revokeOAuth2LoginSessions', {
      query: { subject: 'revoked@bar.com' },
    });
    expect(revoked.status).to.equal(204);
    const { challenge } = await driver.startLogin(params());
    const login = await call(server, 'getOAuth2LoginRequest', { query: { challenge } });
    expect(login.body.skip).to.equal(false);
  });
});
