// The SDK's login and consent helpers against a running server: typed requests, accept and reject with their
// redirect_to, 410 as { gone, redirect_to }, the skip shortcut, errors as OAuth2ApiError; and the README's
// 30-line app (examples/login-consent-app.ts) run as a real login and consent app.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { expect } from 'chai';
import { isGone, type LoginConsent, loginConsent, OAuth2ApiError } from '../../sdk/index.js';
import { FlowDriver, pkcePair, randomState, redirectParams, webClient } from '../helpers/flow-driver.js';
import type { CreatedClient } from '../helpers/oauth2.js';
import { REPO_ROOT } from '../helpers/sdk.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const SCOPE = 'openid offline_access email';

describe('sdk: loginConsent helpers', () => {
  let server: TestServer;
  let client: CreatedClient;
  let flows: LoginConsent;

  before(async () => {
    server = await startTestServer();
    client = await webClient(server);
    flows = loginConsent({ adminUrl: server.adminUrl, token: server.adminToken });
  });
  after(async () => {
    await server.close();
  });

  const params = (extra: Record<string, string> = {}) => ({
    client_id: client.client_id,
    response_type: 'code',
    redirect_uri: 'http://127.0.0.1:5555/cb',
    scope: SCOPE,
    state: randomState(),
    code_challenge: pkcePair().challenge,
    code_challenge_method: 'S256',
    ...extra,
  });

  it('reads the login and consent requests and accepts both, through to the code', async () => {
    const driver = new FlowDriver(server);
    const { challenge } = await driver.startLogin(params({ login_hint: 'foo@bar.com' }));

    const login = await flows.getLogin(challenge);
    if (isGone(login)) expect.fail('a fresh login request is not gone');
    expect(login).to.include({ challenge, skip: false, subject: '' });
    expect(login.client?.client_id).to.equal(client.client_id);
    expect(login.requested_scope).to.deep.equal(SCOPE.split(' '));
    expect(login.oidc_context?.login_hint).to.equal('foo@bar.com');
    expect(await flows.acceptIfSkipped(login)).to.equal(null);

    const afterLogin = await flows.acceptLogin(challenge, { subject: 'foo@bar.com', remember: true });
    const { challenge: consentChallenge } = await driver.toConsent(afterLogin);
    const consent = await flows.getConsent(consentChallenge);
    if (isGone(consent)) expect.fail('a fresh consent request is not gone');
    expect(consent).to.include({ challenge: consentChallenge, skip: false, subject: 'foo@bar.com' });
    expect(consent.login_challenge).to.equal(challenge);
    expect(await flows.acceptIfSkipped(consent)).to.equal(null);

    const afterConsent = await flows.acceptConsent(consentChallenge, {
      grant_scope: ['openid', 'email'],
      remember: true,
      session: { id_token: { email: 'foo@bar.com' } },
    });
    const done = await driver.hop(afterConsent);
    expect(done.status).to.equal(303);
    const result = redirectParams(done);
    expect(result.get('code')).to.match(/^ory_ac_/);
    expect(result.get('scope')).to.equal('openid email');

    // Both requests are used now: 410, which the helpers turn into the URL that starts the flow again.
    const again = await flows.getConsent(consentChallenge);
    expect(again).to.deep.equal({ gone: true, redirect_to: consent.request_url });
    const loginAgain = await flows.getLogin(challenge);
    expect(loginAgain).to.deep.equal({ gone: true, redirect_to: login.request_url });
    expect(await flows.acceptLogin(challenge, { subject: 'foo@bar.com' })).to.equal(login.request_url);

    // The remembered login and consent (which covers openid and email): acceptIfSkipped answers both.
    const second = await driver.startLogin(params({ scope: 'openid email' }));
    const skippedLogin = await flows.getLogin(second.challenge);
    if (isGone(skippedLogin)) expect.fail('not gone');
    expect(skippedLogin).to.include({ skip: true, subject: 'foo@bar.com' });
    const { challenge: secondConsent } = await driver.toConsent((await flows.acceptIfSkipped(skippedLogin))!);
    const skippedConsent = await flows.getConsent(secondConsent);
    if (isGone(skippedConsent)) expect.fail('not gone');
    expect(skippedConsent.skip).to.equal(true);
    const end = await driver.hop((await flows.acceptIfSkipped(skippedConsent))!);
    expect(redirectParams(end).get('scope')).to.equal('openid email');
  });

  it('rejects with access_denied by default, which reaches the client', async () => {
    const driver = new FlowDriver(server);
    const { challenge } = await driver.startLogin(params({ prompt: 'login' }));
    const back = await driver.hop(await flows.rejectLogin(challenge));
    const result = redirectParams(back);
    expect(result.get('error')).to.equal('access_denied');
    expect(result.get('error_description')).to.include('The resource owner denied the request');
  });

  it('passes a reject reason on', async () => {
    const driver = new FlowDriver(server);
    const { challenge } = await driver.startLogin(params({ prompt: 'login' }));
    const afterLogin = await flows.acceptLogin(challenge, { subject: 'ann@example.com' });
    const { challenge: consent } = await driver.toConsent(afterLogin);
    const to = await flows.rejectConsent(consent, {
      error: 'consent_required',
      error_description: 'The user said no',
    });
    expect(redirectParams(await driver.hop(to)).get('error')).to.equal('consent_required');
  });

  it('throws OAuth2ApiError for an unknown challenge', async () => {
    const err = await flows.getLogin('no-such-challenge').then(
      () => expect.fail('resolved'),
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(OAuth2ApiError);
    expect((err as OAuth2ApiError).status).to.equal(404);
  });
});

describe('examples/login-consent-app.ts, run as the login and consent app', function () {
  // A child process compiled by tsx on a shared machine.
  this.timeout(60_000);
  let server: TestServer;
  let app: ChildProcess;
  let client: CreatedClient;
  const port = 30_000 + Math.floor(Math.random() * 20_000);
  const appUrl = `http://127.0.0.1:${port}`;

  before(async () => {
    server = await startTestServer({ 'urls.login': `${appUrl}/login`, 'urls.consent': `${appUrl}/consent` });
    client = await webClient(server);
    app = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'examples/login-consent-app.ts')], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH, TOLLGATE_ADMIN_URL: server.adminUrl, PORT: String(port) },
      stdio: 'inherit',
    });
    // Listening once it answers.
    for (let i = 0; ; i++) {
      const up = await fetch(`${appUrl}/`).then(
        () => true,
        () => false,
      );
      if (up) break;
      if (i > 200 || app.exitCode !== null) throw new Error('the example app did not start');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });
  after(async () => {
    if (app && app.exitCode === null) {
      app.kill();
      await once(app, 'exit');
    }
    await server?.close();
  });

  it('signs foo@bar.com in with its form and grants the checked scopes', async () => {
    const driver = new FlowDriver(server);
    const { hop } = await driver.startLogin({
      client_id: client.client_id,
      response_type: 'code',
      redirect_uri: 'http://127.0.0.1:5555/cb',
      scope: 'openid email',
      state: randomState(),
    });
    const loginPage = await driver.hop(hop.location!);
    expect(loginPage.status).to.equal(200);
    const challenge = /name="challenge" value="([^"]+)"/.exec(loginPage.text)?.[1];
    expect(challenge).to.be.a('string');
    const post = (path: string, form: Record<string, string | string[]>) =>
      driver.hop(`${appUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(
          Object.entries(form).flatMap(([k, v]) =>
            (Array.isArray(v) ? v : [v]).map((x): [string, string] => [k, x]),
          ),
        ).toString(),
      });

    const wrong = await post('/login', {
      challenge: challenge!,
      email: 'foo@bar.com',
      password: 'nope',
      ok: '1',
    });
    expect(wrong.status).to.equal(200);
    const accepted = await post('/login', {
      challenge: challenge!,
      email: 'foo@bar.com',
      password: 'foobar',
      ok: '1',
    });
    expect(accepted.status).to.equal(303);
    const toConsent = await driver.hop(accepted.location!);
    expect(toConsent.status).to.equal(302);
    const consentPage = await driver.hop(toConsent.location!);
    expect(consentPage.text).to.include('value="email" checked');
    const consent = /name="challenge" value="([^"]+)"/.exec(consentPage.text)![1]!;
    const allowed = await post('/consent', { challenge: consent, scope: ['openid', 'email'], ok: '1' });
    const done = await driver.hop(allowed.location!);
    expect(redirectParams(done).get('code')).to.match(/^ory_ac_/);
    expect(redirectParams(done).get('scope')).to.equal('openid email');
  });
});
