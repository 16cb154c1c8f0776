// grant_type=authorization_code over HTTP, after a real /oauth2/auth → login → consent chain (flow-driver):
// fosite's checks in order, single use with revocation on reuse, PKCE for a public client, which tokens a
// grant gets, per-client lifespans, introspection, revocation and DELETE /admin/oauth2/tokens of the tokens.
import { expect } from 'chai';
import { call } from '../helpers/api.js';
import { exchangeCode, FlowDriver, pkcePair, randomState, webClient } from '../helpers/flow-driver.js';
import {
  basicHeader,
  type CreatedClient,
  createClient,
  expectOAuth2Error,
  introspect,
} from '../helpers/oauth2.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const REDIRECT = 'http://127.0.0.1:5555/cb';
const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8'));

describe('authorization_code grant, end to end', () => {
  let server: TestServer;
  let web: CreatedClient;

  before(async () => {
    server = await startTestServer({
      'urls.login': 'http://127.0.0.1:9/login',
      'urls.consent': 'http://127.0.0.1:9/consent',
    });
    web = await webClient(server);
  });
  after(() => server?.close());

  /** A code for `client` after login and consent; `scope` is granted as requested. */
  async function codeFor(client: CreatedClient, params: Record<string, string> = {}, consent = {}) {
    const driver = new FlowDriver(server);
    const { params: answer } = await driver.login(
      {
        client_id: client.client_id,
        response_type: 'code',
        redirect_uri: REDIRECT,
        scope: 'openid offline_access',
        state: randomState(),
        nonce: 'nonce-0123456789',
        ...params,
      },
      { subject: 'alice@example.com', consent },
    );
    const code = answer.get('code');
    expect(code, answer.toString()).to.match(/^ory_ac_/);
    return code!;
  }

  it('exchanges the code: access, refresh and ID token; the access token introspects as the user’s', async () => {
    const code = await codeFor(web, {}, { session: { access_token: { tenant: 't1' }, id_token: {} } });
    const res = await exchangeCode(server, web, { code, redirect_uri: REDIRECT });
    expect(res.status, res.text).to.equal(200);
    expect(Object.keys(res.body)).to.deep.equal([
      'access_token',
      'expires_in',
      'id_token',
      'refresh_token',
      'scope',
      'token_type',
    ]);
    expect(res.body).to.include({ scope: 'openid offline_access', token_type: 'bearer' });
    expect(res.body.refresh_token).to.match(/^ory_rt_/);
    expect(res.headers.get('cache-control')).to.equal('no-store');
    const claims = claimsOf(res.body.id_token);
    expect(claims).to.include({ sub: 'alice@example.com', nonce: 'nonce-0123456789' });
    expect(claims.aud).to.deep.equal([web.client_id]);

    const access = await introspect(server, res.body.access_token);
    expect(access).to.include({ active: true, sub: 'alice@example.com', client_id: web.client_id });
    expect(access.ext).to.deep.equal({ tenant: 't1' });
    const refresh = await introspect(server, res.body.refresh_token);
    expect(refresh).to.include({ active: true, token_use: 'refresh_token', sub: 'alice@example.com' });
  });

  it('a reused code is refused and the access token issued from it stops working', async () => {
    const code = await codeFor(web);
    const first = await exchangeCode(server, web, { code, redirect_uri: REDIRECT });
    expect(first.status, first.text).to.equal(200);
    expect(await introspect(server, first.body.access_token)).to.include({ active: true });

    const again = await exchangeCode(server, web, { code, redirect_uri: REDIRECT });
    expectOAuth2Error(again, 400, 'invalid_grant');
    expect(again.body.error_description).to.contain('The authorization code has already been used.');
    expect(await introspect(server, first.body.access_token)).to.deep.equal({ active: false });
    expect(await introspect(server, first.body.refresh_token)).to.deep.equal({ active: false });
  });

  it("fosite's checks in order: grant, unknown code, other client, redirect_uri", async () => {
    const ccOnly = await createClient(server, {
      client_secret: 'a-cc-client-secret-0123456789',
      grant_types: ['client_credentials'],
    });
    expectOAuth2Error(await exchangeCode(server, ccOnly, { code: 'ory_ac_x.y' }), 400, 'unauthorized_client');
    const unknown = await exchangeCode(server, web, { code: 'ory_ac_x.y', redirect_uri: REDIRECT });
    expectOAuth2Error(unknown, 400, 'invalid_grant');

    const other = await webClient(server);
    const code = await codeFor(web);
    const stolen = await exchangeCode(server, other, { code, redirect_uri: REDIRECT });
    expectOAuth2Error(stolen, 400, 'invalid_grant');
    expect(stolen.body.error_description).to.contain('does not match the one from the authorize request');
    const wrongUri = await exchangeCode(server, web, { code, redirect_uri: `${REDIRECT}/x` });
    expectOAuth2Error(wrongUri, 400, 'invalid_grant');
    expect(wrongUri.body.error_description).to.contain("The 'redirect_uri' from this request does not match");
    // None of the refusals used the code up.
    expect((await exchangeCode(server, web, { code, redirect_uri: REDIRECT })).status).to.equal(200);
  });

  it('a public client with PKCE: the verifier is required and checked', async () => {
    const spa = await createClient(server, {
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: [REDIRECT],
      scope: 'openid offline_access',
    });
    const { verifier, challenge } = pkcePair();
    const pkce = { code_challenge: challenge, code_challenge_method: 'S256' };
    const wrong = await exchangeCode(server, spa, {
      code: await codeFor(spa, pkce),
      redirect_uri: REDIRECT,
      code_verifier: pkcePair().verifier,
    });
    expectOAuth2Error(wrong, 400, 'invalid_grant');
    expect(wrong.body.error_description).to.contain(
      'The PKCE code challenge did not match the code verifier.',
    );

    const code = await codeFor(spa, pkce);
    const missing = await exchangeCode(server, spa, { code, redirect_uri: REDIRECT });
    expect(missing.body.error_description).to.contain(
      'The PKCE code verifier must be at least 43 characters.',
    );
    const right = await exchangeCode(server, spa, { code, redirect_uri: REDIRECT, code_verifier: verifier });
    expect(right.status, right.text).to.equal(200);
    expect(right.body.refresh_token).to.match(/^ory_rt_/);
  });

  it('two concurrent exchanges of one code: one gets tokens, the other is a reuse that revokes them', async () => {
    const code = await codeFor(web);
    const [a, b] = await Promise.all([
      exchangeCode(server, web, { code, redirect_uri: REDIRECT }),
      exchangeCode(server, web, { code, redirect_uri: REDIRECT }),
    ]);
    expect([a.status, b.status].sort()).to.deep.equal([200, 400]);
    const winner = a.status === 200 ? a : b;
    expect(await introspect(server, winner.body.access_token)).to.deep.equal({ active: false });
  });

  it('a public client authenticates with client_id alone; a secret sent along is refused (401)', async () => {
    const spa = await createClient(server, {
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      redirect_uris: [REDIRECT],
      scope: 'openid',
    });
    const code = await codeFor(spa, { scope: 'openid' });
    const withSecret = await call(server, 'oauth2TokenExchange', {
      form: { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, client_id: spa.client_id },
      headers: { authorization: basicHeader(spa.client_id, 'not-a-secret') },
    });
    expectOAuth2Error(withSecret, 401, 'invalid_client');
    const ok = await exchangeCode(server, spa, { code, redirect_uri: REDIRECT });
    expect(ok.status, ok.text).to.equal(200);
  });

  it('hybrid code id_token token: the fragment carries a code, an access token and an ID token binding both', async () => {
    const hybrid = await webClient(server, {
      grant_types: ['authorization_code', 'implicit'],
      response_types: ['code id_token token'],
    });
    const driver = new FlowDriver(server);
    const { params } = await driver.login(
      {
        client_id: hybrid.client_id,
        response_type: 'code id_token token',
        redirect_uri: REDIRECT,
        scope: 'openid',
        state: randomState(),
        nonce: 'nonce-0123456789',
      },
      { subject: 'alice@example.com' },
    );
    expect(params.get('code')).to.match(/^ory_ac_/);
    expect(params.get('access_token')).to.match(/^ory_at_/);
    expect(params.get('token_type')).to.equal('bearer');
    const claims = claimsOf(params.get('id_token')!);
    expect(claims).to.include({ nonce: 'nonce-0123456789', sub: 'alice@example.com' });
    expect(claims).to.have.property('c_hash').that.is.a('string');
    expect(claims).to.have.property('at_hash').that.is.a('string');
    expect(await introspect(server, params.get('access_token')!)).to.include({
      active: true,
      sub: 'alice@example.com',
    });
    const exchanged = await exchangeCode(server, hybrid, {
      code: params.get('code')!,
      redirect_uri: REDIRECT,
    });
    expect(exchanged.status, exchanged.text).to.equal(200);
  });

  it('no refresh token without offline scope; no ID token without openid', async () => {
    const code = await codeFor(web, { scope: 'profile' });
    const res = await exchangeCode(server, web, { code, redirect_uri: REDIRECT });
    expect(res.status, res.text).to.equal(200);
    expect(Object.keys(res.body)).to.deep.equal(['access_token', 'expires_in', 'scope', 'token_type']);
  });

  it("honours the client's authorization_code_grant_* lifespans", async () => {
    const shortLived = await webClient(server, {
      authorization_code_grant_access_token_lifespan: '5m',
      authorization_code_grant_id_token_lifespan: '2m',
    });
    const res = await exchangeCode(server, shortLived, {
      code: await codeFor(shortLived),
      redirect_uri: REDIRECT,
    });
    expect(res.body.expires_in).to.be.within(298, 299);
    const claims = claimsOf(res.body.id_token);
    expect(claims.exp - claims.iat).to.equal(120);
  });

  it('revoking a refresh token ends the grant; DELETE /admin/oauth2/tokens takes codes and refresh tokens', async () => {
    const first = await exchangeCode(server, web, { code: await codeFor(web), redirect_uri: REDIRECT });
    const revoked = await call(server, 'revokeOAuth2Token', {
      form: { token: first.body.refresh_token },
      headers: { authorization: basicHeader(web.client_id, web.client_secret!) },
    });
    expect(revoked.status, revoked.text).to.equal(200);
    expect(await introspect(server, first.body.access_token)).to.deep.equal({ active: false });

    const own = await webClient(server);
    const tokens = await exchangeCode(server, own, { code: await codeFor(own), redirect_uri: REDIRECT });
    const pending = await codeFor(own);
    const deleted = await call(server, 'deleteOAuth2Token', { query: { client_id: own.client_id } });
    expect(deleted.status, deleted.text).to.equal(204);
    expect(await introspect(server, tokens.body.access_token)).to.deep.equal({ active: false });
    expect(await introspect(server, tokens.body.refresh_token)).to.deep.equal({ active: false });
    expectOAuth2Error(
      await exchangeCode(server, own, { code: pending, redirect_uri: REDIRECT }),
      400,
      'invalid_grant',
    );
  });
});
