// The built-in login and consent UI of `serve --dev`, over HTTP as a browser without JavaScript uses it:
// GET the page, POST its form. Every decision goes through the admin API (here protected by a token, which the
// UI must send), so what the client finally receives shows what the UI decided.
import { expect } from 'chai';
import { exchangeCode, FlowDriver, type Hop, redirectParams, webClient } from '../helpers/flow-driver.js';
import type { CreatedClient } from '../helpers/oauth2.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const REDIRECT = 'http://127.0.0.1:5555/cb';

/** The hidden and checked fields of the page's form, as the browser would submit them. */
function formOf(page: string): Record<string, string | string[]> {
  const fields: Record<string, string | string[]> = {};
  for (const m of page.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g))
    fields[m[1]!] = m[2]!;
  const scopes = [...page.matchAll(/name="grant_scope" value="([^"]+)" checked/g)].map((m) => m[1]!);
  if (scopes.length > 0) fields.grant_scope = scopes;
  return fields;
}

function idTokenClaims(idToken: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(idToken.split('.')[1]!, 'base64url').toString('utf8'));
}

describe('the built-in login and consent UI (--dev)', () => {
  let server: TestServer;
  let client: CreatedClient;

  before(async () => {
    server = await startTestServer({
      'serve.admin.auth.tokens': ['an-admin-token-for-the-dev-ui-test'],
      'dev.users': [
        { email: 'foo@bar.com', password: 'foobar' },
        { email: 'ann@example.com', password: 'secret', claims: { name: 'Ann Lee', tenant: 't1' } },
      ],
    });
    client = await webClient(server, {
      client_name: 'Acme <Dashboard>',
      redirect_uris: [REDIRECT],
      policy_uri: 'https://acme.example/privacy',
    });
  });
  after(async () => {
    await server.close();
  });

  const post = (driver: FlowDriver, url: string, form: Record<string, string | string[]>) => {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(form)) for (const x of [v].flat()) body.append(k, x);
    return driver.hop(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: body.toString(),
    });
  };
  const pageUrl = (hop: Hop) => new URL(hop.location!);
  const action = (page: Hop, path: string) => new URL(path, page.url).href;

  const authorize = (driver: FlowDriver, extra: Record<string, string> = {}) =>
    driver.startLogin({
      client_id: client.client_id,
      response_type: 'code',
      redirect_uri: REDIRECT,
      scope: 'openid offline_access email profile',
      state: 'a-state-of-some-length',
      nonce: 'a-nonce-of-some-length',
      ...extra,
    });

  async function toLoginPage(driver: FlowDriver, extra: Record<string, string> = {}) {
    const { hop } = await authorize(driver, extra);
    expect(pageUrl(hop).pathname).to.equal('/oauth2/fallbacks/login');
    const page = await driver.hop(hop.location!);
    return { hop, page };
  }

  /** Submits the login page's form with these credentials (action "login"). */
  const submitLogin = (driver: FlowDriver, page: Hop, email: string, password: string, extra = {}) =>
    post(driver, action(page, 'login'), { ...formOf(page.text), email, password, action: 'login', ...extra });

  async function signIn(
    driver: FlowDriver,
    email: string,
    password: string,
    extra: Record<string, string> = {},
  ) {
    const { page } = await toLoginPage(driver, extra);
    expect(page.status, page.text).to.equal(200);
    const sent = await submitLogin(driver, page, email, password, { remember: '1' });
    expect(sent.status, sent.text).to.equal(303);
    const toConsent = await driver.hop(sent.location!);
    expect(toConsent.status, toConsent.text).to.equal(302);
    return toConsent;
  }

  it('shows the login form (HTML, no script, hint prefilled), then the consent page, then sends the code', async () => {
    const driver = new FlowDriver(server);
    const { page } = await toLoginPage(driver, { login_hint: 'foo@bar.com' });
    expect(page.status).to.equal(200);
    expect(page.headers.get('content-type')).to.match(/^text\/html/);
    expect(page.headers.get('content-security-policy')).to.include("default-src 'none'");
    expect(page.text).to.include('Acme &lt;Dashboard&gt;');
    expect(page.text).to.include('value="foo@bar.com"');
    expect(page.text).not.to.include('<script');

    const sent = await submitLogin(driver, page, 'foo@bar.com', 'foobar');
    expect(sent.status).to.equal(303);
    const toConsent = await driver.hop(sent.location!);
    expect(pageUrl(toConsent).pathname).to.equal('/oauth2/fallbacks/consent');
    const consent = await driver.hop(toConsent.location!);
    expect(consent.status).to.equal(200);
    expect(consent.text).to.include('<a href="https://acme.example/privacy">Privacy policy</a>');
    const form = formOf(consent.text);
    expect(form.grant_scope).to.deep.equal(['openid', 'offline_access', 'email', 'profile']);

    const allowed = await post(driver, action(consent, 'consent'), { ...form, action: 'allow' });
    expect(allowed.status).to.equal(303);
    const done = await driver.hop(allowed.location!);
    const result = redirectParams(done);
    expect(result.get('state')).to.equal('a-state-of-some-length');
    const tokens = await exchangeCode(server, client, { code: result.get('code')!, redirect_uri: REDIRECT });
    expect(tokens.status, tokens.text).to.equal(200);
    expect(idTokenClaims(tokens.body.id_token)).to.include({
      sub: 'foo@bar.com',
      email: 'foo@bar.com',
      email_verified: true,
      name: 'foo',
      nonce: 'a-nonce-of-some-length',
    });
  });

  it('grants only the checked scopes that were requested, with the claims of those scopes', async () => {
    const driver = new FlowDriver(server);
    const toConsent = await signIn(driver, 'ann@example.com', 'secret', { prompt: 'consent' });
    const consent = await driver.hop(toConsent.location!);
    const allowed = await post(driver, action(consent, 'consent'), {
      ...formOf(consent.text),
      // profile unchecked; an edited form adds a scope that was not requested.
      grant_scope: ['openid', 'email', 'admin'],
      action: 'allow',
    });
    const result = redirectParams(await driver.hop(allowed.location!));
    expect(result.get('scope')).to.equal('openid email');
    const tokens = await exchangeCode(server, client, { code: result.get('code')!, redirect_uri: REDIRECT });
    const claims = idTokenClaims(tokens.body.id_token);
    expect(claims).to.include({ sub: 'ann@example.com', email: 'ann@example.com', tenant: 't1' });
    expect(claims).not.to.have.property('name');
  });

  it('shows a wrong password as an alert on the same form, keeping the email', async () => {
    const driver = new FlowDriver(server);
    const { page } = await toLoginPage(driver);
    const again = await submitLogin(driver, page, 'foo@bar.com', 'wrong');
    expect(again.status).to.equal(200);
    expect(again.text).to.match(/role="alert"[^>]*>The email address or password is not correct\./);
    expect(again.text).to.include('value="foo@bar.com"');
    expect(formOf(again.text)).to.deep.equal(formOf(page.text));
  });

  it('Deny on the login page sends access_denied to the client', async () => {
    const driver = new FlowDriver(server);
    const { page } = await toLoginPage(driver);
    const denied = await post(driver, action(page, 'login'), { ...formOf(page.text), action: 'deny' });
    expect(denied.status).to.equal(303);
    const result = redirectParams(await driver.hop(denied.location!));
    expect(result.get('error')).to.equal('access_denied');
  });

  it('refuses a form whose CSRF token was not issued for its challenge', async () => {
    const driver = new FlowDriver(server);
    const { page } = await toLoginPage(driver);
    const other = await toLoginPage(new FlowDriver(server));
    const forged = await submitLogin(driver, page, 'foo@bar.com', 'foobar', {
      _csrf: formOf(other.page.text)._csrf as string,
    });
    expect(forged.status).to.equal(400);
    expect(forged.text).to.include('role="alert"');
    expect(forged.headers.get('location')).to.equal(null);
  });

  it('answers a missing or unknown challenge with a 400 page', async () => {
    const driver = new FlowDriver(server);
    for (const query of ['', '?login_challenge=unknown']) {
      const res = await driver.hop(new URL(`/oauth2/fallbacks/login${query}`, server.publicUrl).href);
      expect(res.status, query).to.equal(400);
      expect(res.headers.get('content-type')).to.match(/^text\/html/);
      expect(res.text).to.include('Unknown login request');
    }
  });

  it('answers a challenge too long for the admin API with the 400 page, not a 500', async () => {
    // Near the 16 KiB header limit, the public request fits and the UI's admin request (longer path, the
    // token) does not: the admin API answers 431.
    const statuses = new Set<number>();
    for (let n = 15900; n < 16400; n += 2) {
      const url = new URL('/oauth2/fallbacks/login', server.publicUrl);
      url.searchParams.set('login_challenge', 'a'.repeat(n));
      const res = await fetch(url, { redirect: 'manual' });
      await res.text();
      statuses.add(res.status);
    }
    expect([...statuses].sort()).to.deep.equal([400, 431]);
  });

  it('skips a remembered login and consent, and sends a used challenge back to the start (410 → 303)', async () => {
    const driver = new FlowDriver(server);
    const toConsent = await signIn(driver, 'foo@bar.com', 'foobar');
    const consent = await driver.hop(toConsent.location!);
    const allowed = await post(driver, action(consent, 'consent'), {
      ...formOf(consent.text),
      remember: '1',
      action: 'allow',
    });
    await driver.hop(allowed.location!);

    // The consent page of a used challenge: 303 to the authorization URL, which starts a new flow.
    const stale = await driver.hop(toConsent.location!);
    expect(stale.status).to.equal(303);
    expect(new URL(stale.location!).pathname).to.equal('/oauth2/auth');

    const { hop } = await authorize(driver);
    const skippedLogin = await driver.hop(hop.location!);
    expect(skippedLogin.status).to.equal(303);
    const toSecondConsent = await driver.hop(skippedLogin.location!);
    const skippedConsent = await driver.hop(toSecondConsent.location!);
    expect(skippedConsent.status).to.equal(303);
    const result = redirectParams(await driver.hop(skippedConsent.location!));
    expect(result.get('code')).to.match(/^ory_ac_/);
    const tokens = await exchangeCode(server, client, { code: result.get('code')!, redirect_uri: REDIRECT });
    expect(idTokenClaims(tokens.body.id_token)).to.include({ email: 'foo@bar.com' });
  });
});

describe('the built-in UI when the admin API does not answer', () => {
  let server: TestServer;
  before(async () => {
    // urls.self.admin names where the UI calls the admin API: here a port where nothing listens.
    server = await startTestServer({ 'urls.self.admin': 'http://127.0.0.1:9/' });
  });
  after(async () => {
    await server.close();
  });

  it('answers the 503 page with a link that repeats the request', async () => {
    const client = await webClient(server, { redirect_uris: [REDIRECT] });
    const driver = new FlowDriver(server);
    const { hop } = await driver.startLogin({
      client_id: client.client_id,
      response_type: 'code',
      redirect_uri: REDIRECT,
      scope: 'openid',
      state: 'a-state-of-some-length',
    });
    const page = await driver.hop(hop.location!);
    expect(page.status).to.equal(503);
    expect(page.headers.get('content-type')).to.match(/^text\/html/);
    expect(page.text).to.include('could not reach the admin API');
    expect(page.text).to.match(/<a href="\/oauth2\/fallbacks\/login\?login_challenge=[^"]+">Try again<\/a>/);
  });
});
