// GET|POST /oauth2/auth through a running server: where each failure of fosite's authorize_request_handler.go steps 1–9 goes (urls.error with
// 302, or the client with 303), how it is encoded, and the fallback error page. The success path runs through
// login and consent and is covered with the whole chain (test/e2e).
import { expect } from 'chai';
import { call } from '../helpers/api.js';
import { FlowDriver, type Hop } from '../helpers/flow-driver.js';
import { type CreatedClient, createClient } from '../helpers/oauth2.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

describe('GET|POST /oauth2/auth (oAuth2Authorize, oAuth2AuthorizeWithForm) and getOAuth2FallbackError', () => {
  let server: TestServer;
  let client: CreatedClient;
  let good: Record<string, string>;

  before(async () => {
    server = await startTestServer();
    client = await createClient(server, {
      client_secret: 'a-web-client-secret-0123456789',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      redirect_uris: ['https://app.example/cb?keep=1', 'http://127.0.0.1:5555/cb'],
      scope: 'openid read',
    });
    good = {
      client_id: client.client_id,
      response_type: 'code',
      redirect_uri: 'https://app.example/cb?keep=1',
      scope: 'read',
      state: 'state-123456',
    };
  });

  after(() => server.close());

  const errorPageUrl = () => new URL('oauth2/fallbacks/error', server.config.publicUrl).href;

  function params(hop: Hop): URLSearchParams {
    return new URL(hop.location!).searchParams;
  }

  it('sends an unknown client to urls.error with 302, no state, and the page names the error (400 HTML)', async () => {
    const driver = new FlowDriver(server);
    const hop = await driver.authorize({ ...good, client_id: 'nobody' });
    expect(hop.status).to.equal(302);
    expect(hop.location!.startsWith(driver.rebase(errorPageUrl()))).to.equal(true);
    expect(params(hop).get('error')).to.equal('invalid_client');
    expect(params(hop).has('state')).to.equal(false);

    const page = await driver.hop(hop.location!);
    expect(page.status).to.equal(400);
    expect(page.headers.get('content-type')).to.match(/^text\/html/);
    expect(page.text).to.contain('invalid_client');
    expect(page.text).to.contain('The requested OAuth 2.0 Client does not exist.');
  });

  it('refuses a request too large to keep as a flow, back to the client, and stores nothing', async () => {
    const driver = new FlowDriver(server);
    const flows = async () => {
      const knex = (await import('knex')).default({ client: 'pg', connection: server.dsn });
      try {
        const [row] = await knex('oauth2_flows').where({ client_id: client.client_id }).count({ n: '*' });
        return Number(row?.n);
      } finally {
        await knex.destroy();
      }
    };
    const before = await flows();
    const hop = await driver.authorize({ ...good, login_hint: 'x'.repeat(9000) });
    expect(hop.status).to.equal(303);
    expect(params(hop).get('error')).to.equal('invalid_request');
    expect(params(hop).get('error_description')).to.contain('exceed 8192 bytes');
    expect(params(hop).get('state')).to.equal(good.state);
    expect(await flows()).to.equal(before);
    // Just under the bound it is a flow like any other.
    const fits = await driver.authorize({ ...good, login_hint: 'x'.repeat(7000) });
    expect(fits.status).to.equal(302);
    expect(await flows()).to.equal(before + 1);
  });

  it('sends a redirect_uri mismatch to the error page with the closest registered URI', async () => {
    const driver = new FlowDriver(server);
    const hop = await driver.authorize({ ...good, redirect_uri: 'http://localhost:5555/cb' });
    expect(hop.status).to.equal(302);
    expect(params(hop).get('error')).to.equal('invalid_request');
    const page = await driver.hop(hop.location!);
    expect(page.status).to.equal(400);
    expect(page.text).to.contain('pre-registered redirect urls');
    expect(page.text).to.contain('The client registered &#39;http://127.0.0.1:5555/cb&#39;');
  });

  it('refuses an IPv6 loopback with a zone (Go net.ParseIP reads no zone) on the error page, not a 500', async () => {
    const driver = new FlowDriver(server);
    for (const redirect_uri of ['http://[::1%25eth0]:5555/cb', 'http://[fe80::1%25en0]:5555/cb']) {
      const hop = await driver.authorize({ ...good, redirect_uri });
      expect(hop.status, redirect_uri).to.equal(302);
      expect(params(hop).get('error')).to.equal('invalid_request');
    }
  });

  it('refuses a trailing slash and localhost on another port, before looking at the scope', async () => {
    const driver = new FlowDriver(server);
    for (const redirect_uri of ['https://app.example/cb/?keep=1', 'http://localhost:6000/cb']) {
      const hop = await driver.authorize({ ...good, redirect_uri, scope: 'admin' });
      expect(hop.status, redirect_uri).to.equal(302);
      expect(params(hop).get('error')).to.equal('invalid_request');
    }
  });

  it('sends a refused scope back to the client with 303, Go-encoded, state echoed, query kept', async () => {
    const hop = await new FlowDriver(server).authorize({ ...good, scope: 'read admin' });
    expect(hop.status).to.equal(303);
    expect(hop.headers.get('cache-control')).to.equal('no-store');
    expect(hop.headers.get('pragma')).to.equal('no-cache');
    expect(hop.location).to.equal(
      'https://app.example/cb?error=invalid_scope&error_description=The+requested+scope+is+invalid%2C+unknown%2C+or+malformed.+The+OAuth+2.0+Client+is+not+allowed+to+request+scope+%27admin%27.&keep=1&state=state-123456',
    );
  });

  it('checks the scope before the state, and the state last', async () => {
    const driver = new FlowDriver(server);
    const both = await driver.authorize({ ...good, scope: 'admin', state: 'short' });
    expect(params(both).get('error')).to.equal('invalid_scope');
    const state = await driver.authorize({ ...good, state: 'short' });
    expect(state.status).to.equal(303);
    expect(params(state).get('error')).to.equal('invalid_state');
    expect(params(state).get('state')).to.equal('short');
  });

  it('reads a POST form like the query', async () => {
    const driver = new FlowDriver(server);
    const hop = await driver.hop(new URL('/oauth2/auth', server.publicUrl).href, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...good, scope: 'admin' }).toString(),
    });
    expect(hop.status).to.equal(303);
    expect(params(hop).get('error')).to.equal('invalid_scope');
  });

  it('answers a form_post error with an escaped self-submitting page', async () => {
    const hop = await new FlowDriver(server).authorize({
      ...good,
      response_mode: 'form_post',
      scope: 'admin',
      state: '"><script>x()</script>',
    });
    expect(hop.status).to.equal(200);
    expect(hop.headers.get('content-type')).to.equal('text/html;charset=UTF-8');
    expect(hop.text).to.contain('action="https://app.example/cb?keep=1"');
    expect(hop.text).to.contain('value="&#34;&gt;&lt;script&gt;x()&lt;/script&gt;"');
    expect(hop.text).not.to.contain('<script>');
  });

  it('never posts a form_post page to a javascript: redirect URI (html/template writes #ZgotmplZ, as Hydra does)', async () => {
    const evil = await createClient(server, {
      client_secret: 'a-web-client-secret-0123456789',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      redirect_uris: ['javascript:alert(document.domain)//'],
      scope: 'read',
    });
    const hop = await new FlowDriver(server).authorize({
      ...good,
      client_id: evil.client_id,
      redirect_uri: 'javascript:alert(document.domain)//',
      response_mode: 'form_post',
      scope: 'admin',
    });
    expect(hop.status).to.equal(200);
    expect(hop.text).to.contain('action="#ZgotmplZ"');
    expect(hop.text).not.to.contain('javascript:');
  });

  it('escapes whatever the error page is given', async () => {
    const url = new URL('/oauth2/fallbacks/error', server.publicUrl);
    url.searchParams.set('error', '<img src=x onerror=alert(1)>');
    url.searchParams.set('error_description', '"quoted" & <b>bold</b>');
    const page = await new FlowDriver(server).hop(url.href);
    expect(page.status).to.equal(400);
    expect(page.text).to.contain('&lt;img src=x onerror=alert(1)&gt;');
    expect(page.text).to.contain('&#34;quoted&#34; &amp; &lt;b&gt;bold&lt;/b&gt;');
    expect(page.text).not.to.contain('<img');
  });

  /** A client that may request two audiences. */
  const audienceClient = () =>
    createClient(server, {
      grant_types: ['authorization_code'],
      response_types: ['code'],
      redirect_uris: ['http://127.0.0.1:5555/cb'],
      scope: 'read',
      audience: ['https://api.one', 'https://api.two'],
    });

  it('takes the first of a repeated parameter and every audience, as Go’s url.Values and fosite read them', async () => {
    const withAudience = await audienceClient();
    const driver = new FlowDriver(server);
    const url = new URL('/oauth2/auth', server.publicUrl);
    const query = new URLSearchParams({ ...good, redirect_uri: 'http://127.0.0.1:5555/cb' });
    query.set('client_id', withAudience.client_id);
    query.append('client_id', 'nobody');
    query.append('state', 'second-state-value');
    query.append('scope', 'admin');
    query.append('audience', 'https://api.one');
    query.append('audience', 'https://api.two');
    url.search = query.toString();
    const hop = await driver.hop(url.href);
    expect(hop.status, hop.text).to.equal(302);
    const challenge = new URL(hop.location!).searchParams.get('login_challenge')!;
    const login = await call(server, 'getOAuth2LoginRequest', { query: { login_challenge: challenge } });
    expect(login.status, login.text).to.equal(200);
    expect(login.body.client.client_id).to.equal(withAudience.client_id);
    expect(login.body.requested_scope).to.deep.equal(['read']);
    expect(login.body.requested_access_token_audience).to.deep.equal(['https://api.one', 'https://api.two']);

    const unknownFirst = new URL(url);
    unknownFirst.searchParams.set('client_id', 'nobody');
    unknownFirst.searchParams.append('client_id', withAudience.client_id);
    const refused = await driver.hop(unknownFirst.href);
    expect(refused.status).to.equal(302);
    expect(params(refused).get('error')).to.equal('invalid_client');
  });

  it('reads every audience of a POST form', async () => {
    const withAudience = await audienceClient();
    const form = new URLSearchParams({
      ...good,
      client_id: withAudience.client_id,
      redirect_uri: 'http://127.0.0.1:5555/cb',
    });
    form.append('audience', 'https://api.one');
    form.append('audience', 'https://api.two');
    const hop = await new FlowDriver(server).hop(new URL('/oauth2/auth', server.publicUrl).href, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
    expect(hop.status, hop.text).to.equal(302);
    const challenge = new URL(hop.location!).searchParams.get('login_challenge')!;
    const login = await call(server, 'getOAuth2LoginRequest', { query: { login_challenge: challenge } });
    expect(login.body.requested_access_token_audience).to.deep.equal(['https://api.one', 'https://api.two']);
  });

  describe('through login and consent', () => {
    /** Accepts the login and the consent (scope `read`); the answer of the consent verifier. */
    async function consented(driver: FlowDriver, loginChallenge: string): Promise<Hop> {
      const afterLogin = await driver.decide('acceptOAuth2LoginRequest', loginChallenge, {
        subject: 'foo@bar.com',
      });
      const { challenge } = await driver.toConsent(afterLogin);
      return driver.hop(
        await driver.decide('acceptOAuth2ConsentRequest', challenge, { grant_scope: ['read'] }),
      );
    }

    it('delivers the code to any port of a registered loopback IP (RFC 8252 §7.3)', async () => {
      const driver = new FlowDriver(server);
      const { hop, params: answer } = await driver.login({
        ...good,
        redirect_uri: 'http://127.0.0.1:61234/cb',
      });
      expect(hop.status).to.equal(303);
      expect(hop.location!.startsWith('http://127.0.0.1:61234/cb?')).to.equal(true);
      expect(answer.get('code')).to.match(/^ory_ac_/);
      expect(answer.get('state')).to.equal(good.state);
      expect(answer.get('scope')).to.equal('read');
    });

    it('keeps the parameters of a POST form through the login UI (Hydra loses them)', async () => {
      const driver = new FlowDriver(server);
      const start = await driver.hop(new URL('/oauth2/auth', server.publicUrl).href, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ ...good, redirect_uri: 'http://127.0.0.1:5555/cb' }).toString(),
      });
      expect(start.status, start.text).to.equal(302);
      const challenge = new URL(start.location!).searchParams.get('login_challenge')!;
      const hop = await consented(driver, challenge);
      expect(hop.status, hop.text).to.equal(303);
      expect(hop.location!.startsWith('http://127.0.0.1:5555/cb?')).to.equal(true);
      expect(params(hop).get('state')).to.equal(good.state);
      expect(params(hop).get('code')).to.match(/^ory_ac_/);
    });

    it('answers form_post with a page posting the code', async () => {
      const driver = new FlowDriver(server);
      const { challenge } = await driver.startLogin({
        ...good,
        redirect_uri: 'http://127.0.0.1:5555/cb',
        response_mode: 'form_post',
      });
      const page = await consented(driver, challenge);
      expect(page.status).to.equal(200);
      expect(page.headers.get('content-type')).to.equal('text/html;charset=UTF-8');
      expect(page.text).to.contain('action="http://127.0.0.1:5555/cb"');
      expect(page.text).to.match(/name="code" value="ory_ac_[^"]+"/);
      expect(page.text).to.contain(`name="state" value="${good.state}"`);
    });

    it('refuses a plain PKCE challenge after consent, back to the client (fosite authorize_request_handler.go step 11)', async () => {
      const driver = new FlowDriver(server);
      const { hop } = await driver.login({
        ...good,
        redirect_uri: 'http://127.0.0.1:5555/cb',
        code_challenge: 'a-plain-challenge-0123456789-0123456789-0123',
        code_challenge_method: 'plain',
      });
      expect(hop.status).to.equal(303);
      expect(params(hop).get('error')).to.equal('invalid_request');
      expect(params(hop).get('error_description')).to.match(
        / Clients must use code_challenge_method=S256, plain is not allowed\.$/,
      );
      expect(params(hop).get('state')).to.equal(good.state);
    });
  });
});
