// Every response that carries a secret, a private key or a token says `Cache-Control: no-store` and
// `Pragma: no-cache` (RFC 6749 §5.1), whatever its method: the contract marks those operations
// (`x-tollgate-no-store`) and the one response writer obeys. Each marked operation is called, here or (the
// later flows') in test/contract/operations.test.ts.
import { expect } from 'chai';
import { loadContract } from '../../server/http/contract.js';
import { type ApiResponse, type CallOptions, call } from '../helpers/api.js';
import { exchangeCode, FlowDriver, pkcePair, randomState, webClient } from '../helpers/flow-driver.js';
import { ccClient, issueToken } from '../helpers/oauth2.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const SECRET_BEARING = [
  'createOAuth2Client',
  'setOAuth2Client',
  'patchOAuth2Client',
  'oauth2TokenExchange',
  'introspectOAuth2Token',
  'createJsonWebKeySet',
  'setJsonWebKeySet',
  'setJsonWebKey',
  'getJsonWebKeySet',
  'getJsonWebKey',
];
/** The browser flow's: a code, a token, a verifier, a CSRF token bound to a challenge, or the user's claims. */
const FLOW_SECRET_BEARING = [
  'oAuth2Authorize',
  'oAuth2AuthorizeWithForm',
  'acceptOAuth2LoginRequest',
  'rejectOAuth2LoginRequest',
  'acceptOAuth2ConsentRequest',
  'rejectOAuth2ConsentRequest',
  'getDevLogin',
  'submitDevLogin',
  'getDevConsent',
  'submitDevConsent',
  'getOidcUserInfo',
  'postOidcUserInfo',
];
/**
 * Logout, the device flow and dynamic registration (a logout verifier, a device code or verifier, a client
 * secret or registration token): called, and their headers checked, by test/contract/operations.test.ts.
 */
const CHECKED_IN_OPERATIONS_TEST = [
  'revokeOidcSession',
  'revokeOidcSessionWithForm',
  'acceptOAuth2LogoutRequest',
  'getDevLogout',
  'submitDevLogout',
  'oAuth2DeviceFlow',
  'performOAuth2DeviceVerificationFlow',
  'acceptUserCodeRequest',
  'getDevDeviceVerification',
  'submitDevDeviceVerification',
  'createOidcDynamicClient',
  'setOidcDynamicClient',
];

function expectNoStore(res: ApiResponse, operationId: string) {
  expect(res.status, `${operationId}: ${res.text.slice(0, 200)}`).to.be.within(200, 303);
  expect(res.headers.get('cache-control'), operationId).to.match(/(^|, )no-store(,|$)/);
  expect(res.headers.get('pragma'), operationId).to.equal('no-cache');
}

describe('Cache-Control: no-store on every response with a secret, a private key or a token', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it('the contract marks exactly the operations whose responses carry one', () => {
    const marked = [...loadContract().operations.values()].filter((o) => o.noStore).map((o) => o.operationId);
    expect(marked.sort()).to.deep.equal(
      [...SECRET_BEARING, ...FLOW_SECRET_BEARING, ...CHECKED_IN_OPERATIONS_TEST].sort(),
    );
  });

  it('client create, replace and patch, which echo client_secret', async () => {
    const created = await call(server, 'createOAuth2Client', {
      json: { client_id: 'cached', grant_types: ['client_credentials'] },
    });
    expect(created.body.client_secret).to.be.a('string');
    expectNoStore(created, 'createOAuth2Client');
    const replaced = await call(server, 'setOAuth2Client', {
      params: { id: 'cached' },
      json: { grant_types: ['client_credentials'], client_secret: 'a-replaced-secret-0123456789' },
    });
    expect(replaced.body.client_secret).to.equal('a-replaced-secret-0123456789');
    expectNoStore(replaced, 'setOAuth2Client');
    const patched = await call(server, 'patchOAuth2Client', {
      params: { id: 'cached' },
      json: [{ op: 'replace', path: '/client_secret', value: 'a-patched-secret-0123456789' }],
    });
    expect(patched.body.client_secret).to.equal('a-patched-secret-0123456789');
    expectNoStore(patched, 'patchOAuth2Client');
  });

  it("token issuance and introspection (exactly fosite's headers)", async () => {
    const client = await ccClient(server);
    const token = await call(server, 'oauth2TokenExchange', {
      form: { grant_type: 'client_credentials' },
      basic: [client.client_id, client.client_secret!],
    });
    expectNoStore(token, 'oauth2TokenExchange');
    expect(token.headers.get('cache-control')).to.equal('no-store');
    const introspected = await call(server, 'introspectOAuth2Token', {
      form: { token: await issueToken(server, client) },
    });
    expectNoStore(introspected, 'introspectOAuth2Token');
    expect(introspected.headers.get('cache-control')).to.equal('no-store');
  });

  it('JSON Web Keys with private parts: generated, replaced, read', async () => {
    const generated = await call(server, 'createJsonWebKeySet', {
      params: { set: 'cached' },
      json: { alg: 'ES256', use: 'sig', kid: 'k1' },
    });
    expect(generated.body.keys[0].d).to.be.a('string');
    expectNoStore(generated, 'createJsonWebKeySet');
    const key = generated.body.keys[0];
    expectNoStore(
      await call(server, 'setJsonWebKeySet', { params: { set: 'cached' }, json: { keys: [key] } }),
      'setJsonWebKeySet',
    );
    expectNoStore(
      await call(server, 'setJsonWebKey', { params: { set: 'cached', kid: 'k1' }, json: key }),
      'setJsonWebKey',
    );
    expectNoStore(await call(server, 'getJsonWebKeySet', { params: { set: 'cached' } }), 'getJsonWebKeySet');
    expectNoStore(
      await call(server, 'getJsonWebKey', { params: { set: 'cached', kid: 'k1' } }),
      'getJsonWebKey',
    );
  });

  it('the browser flow: authorization redirects, login and consent decisions, the built-in pages, userinfo', async () => {
    const client = await webClient(server);
    const pkce = pkcePair();
    const params = {
      client_id: client.client_id,
      response_type: 'code',
      redirect_uri: 'http://127.0.0.1:5555/cb',
      scope: 'openid',
      state: randomState(),
      code_challenge: pkce.challenge,
      code_challenge_method: 'S256',
    };
    const manual: Partial<CallOptions> = { redirect: 'manual' };
    expectNoStore(await call(server, 'oAuth2Authorize', { ...manual, query: params }), 'oAuth2Authorize');
    expectNoStore(
      await call(server, 'oAuth2AuthorizeWithForm', { ...manual, form: params }),
      'oAuth2AuthorizeWithForm',
    );
    const csrf = (page: ApiResponse) => /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;

    // Rejections first, each on a flow of its own.
    const driver = new FlowDriver(server);
    const rejected = (await driver.startLogin(params)).challenge;
    expectNoStore(
      await call(server, 'rejectOAuth2LoginRequest', { query: { login_challenge: rejected }, json: {} }),
      'rejectOAuth2LoginRequest',
    );
    const login = (await driver.startLogin(params)).challenge;
    const loginPage = await call(server, 'getDevLogin', { query: { login_challenge: login } });
    expectNoStore(loginPage, 'getDevLogin');
    const afterLogin = await call(server, 'submitDevLogin', {
      ...manual,
      form: {
        challenge: login,
        _csrf: csrf(loginPage),
        email: 'foo@bar.com',
        password: 'foobar',
        action: 'login',
      },
    });
    expectNoStore(afterLogin, 'submitDevLogin');
    const consent = (await driver.toConsent(afterLogin.headers.get('location')!)).challenge;
    const consentPage = await call(server, 'getDevConsent', { query: { consent_challenge: consent } });
    expectNoStore(consentPage, 'getDevConsent');
    expectNoStore(
      await call(server, 'submitDevConsent', {
        ...manual,
        form: { challenge: consent, _csrf: csrf(consentPage), grant_scope: ['openid'], action: 'allow' },
      }),
      'submitDevConsent',
    );

    const acceptLogin = async () => {
      const { challenge } = await driver.startLogin(params);
      const accepted = await call(server, 'acceptOAuth2LoginRequest', {
        query: { login_challenge: challenge },
        json: { subject: 'foo@bar.com' },
      });
      expectNoStore(accepted, 'acceptOAuth2LoginRequest');
      return (await driver.toConsent(accepted.body.redirect_to)).challenge;
    };
    expectNoStore(
      await call(server, 'rejectOAuth2ConsentRequest', {
        query: { consent_challenge: await acceptLogin() },
        json: {},
      }),
      'rejectOAuth2ConsentRequest',
    );
    const granted = await call(server, 'acceptOAuth2ConsentRequest', {
      query: { consent_challenge: await acceptLogin() },
      json: { grant_scope: ['openid'] },
    });
    expectNoStore(granted, 'acceptOAuth2ConsentRequest');
    const back = new URL((await driver.hop(granted.body.redirect_to)).location!).searchParams;
    const token = await exchangeCode(server, client, {
      code: back.get('code')!,
      redirect_uri: params.redirect_uri,
      code_verifier: pkce.verifier,
    });
    const accessToken = token.body.access_token as string;
    expectNoStore(
      await call(server, 'getOidcUserInfo', { headers: { authorization: `Bearer ${accessToken}` } }),
      'getOidcUserInfo',
    );
    expectNoStore(
      await call(server, 'postOidcUserInfo', { form: { access_token: accessToken } }),
      'postOidcUserInfo',
    );
  });
});
