// One successful call per operationId of openapi.yaml, against a real server: each response goes through
// `call()`, so it is validated against the contract. The table must name every operation, so adding one to
// openapi.yaml without a test here fails. Every admin operation also runs through Hydra's alias without the
// `/admin` prefix, and the health endpoints on both ports and under `/admin/health/...`.
import { generateKeyPairSync } from 'node:crypto';
import { expect } from 'chai';
import { loadContract } from '../../server/http/contract.js';
import { type ApiResponse, type CallOptions, call, raw } from '../helpers/api.js';
import { exchangeCode, FlowDriver, pkcePair, randomState, webClient } from '../helpers/flow-driver.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

const contract = loadContract();

interface Entry {
  status: number;
  /** Makes the call; `alias` holds extra call options (the unprefixed admin path) to merge into it. */
  run(alias: Partial<CallOptions>): Promise<ApiResponse>;
  /** Checks the body beyond the contract. */
  check?(response: ApiResponse): void;
}

const esJwk = (kid: string) => {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return { ...privateKey.export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig' };
};

describe('every operation of openapi.yaml answers as the contract says', function () {
  this.timeout(60_000);
  let server: TestServer;
  let n = 0;
  const unique = (prefix: string) => `${prefix}-${process.pid}-${++n}`;

  before(async () => {
    // Dynamic client registration is off by default; its operations are tested switched on.
    server = await startTestServer({ 'oidc.dynamic_client_registration.enabled': true });
  });
  after(async () => {
    await server?.close();
  });

  const createClient = async (body: Record<string, unknown> = {}) => {
    const created = await call(server, 'createOAuth2Client', {
      json: {
        client_id: unique('op-client'),
        client_secret: 'op-secret-123',
        grant_types: ['client_credentials'],
        scope: 'read write',
        ...body,
      },
    });
    expect(created.status).to.equal(201);
    return created.body as { client_id: string; client_secret: string };
  };
  const registerClient = async () => {
    const registered = await call(server, 'createOidcDynamicClient', { json: { scope: 'read' } });
    expect(registered.status).to.equal(201);
    return registered.body as { client_id: string; registration_access_token: string };
  };
  const issueToken = async () => {
    const client = await createClient();
    const token = await call(server, 'oauth2TokenExchange', {
      form: { grant_type: 'client_credentials', scope: 'read' },
      basic: [client.client_id, client.client_secret],
    });
    expect(token.status).to.equal(200);
    return { client, token: token.body.access_token as string };
  };
  const createKeySet = async (set: string, kid: string) => {
    const created = await call(server, 'createJsonWebKeySet', {
      params: { set },
      json: { alg: 'ES256', use: 'sig', kid },
    });
    expect(created.status).to.equal(201);
  };

  const trustIssuer = (alias: Partial<CallOptions> = {}) => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    return call(server, 'trustOAuth2JwtGrantIssuer', {
      ...alias,
      json: {
        issuer: unique('https://op-idp.example.com/'),
        subject: 'op-subject',
        scope: ['read'],
        jwk: { ...publicKey.export({ format: 'jwk' }), kid: 'trust-k', alg: 'ES256', use: 'sig' },
        expires_at: '2031-01-01T00:00:00Z',
      },
    });
  };

  // The browser flow: a web client's authorization request, up to the challenge the login or consent app gets.
  const authorizeParams = async () => {
    const client = await webClient(server);
    const { challenge } = pkcePair();
    return {
      client,
      params: {
        client_id: client.client_id,
        response_type: 'code',
        redirect_uri: 'http://127.0.0.1:5555/cb',
        scope: 'openid offline_access',
        state: randomState(),
        code_challenge: challenge,
        code_challenge_method: 'S256',
      },
    };
  };
  const loginChallenge = async () => {
    const driver = new FlowDriver(server);
    const { params } = await authorizeParams();
    return { driver, ...(await driver.startLogin(params)) };
  };
  const consentChallenge = async (subject = 'foo@bar.com') => {
    const { driver, challenge } = await loginChallenge();
    const redirectTo = await driver.decide('acceptOAuth2LoginRequest', challenge, { subject });
    return (await driver.toConsent(redirectTo)).challenge;
  };
  /** A whole flow for `subject`, remembered; the access token of its code. */
  const signIn = async (subject: string) => {
    const driver = new FlowDriver(server);
    const { client, params } = await authorizeParams();
    const { verifier, challenge } = pkcePair();
    const { params: back } = await driver.login(
      { ...params, code_challenge: challenge },
      { subject, consent: { remember: true } },
    );
    const token = await exchangeCode(server, client, {
      code: back.get('code')!,
      redirect_uri: params.redirect_uri,
      code_verifier: verifier,
    });
    expect(token.status, token.text).to.equal(200);
    return token.body.access_token as string;
  };
  /** A remembered sign-in, then an OP-initiated logout of that browser: the logout challenge. */
  const logoutChallenge = async () => {
    const driver = new FlowDriver(server);
    const { params } = await authorizeParams();
    await driver.login(params, { subject: unique('op-user'), login: { remember: true } });
    const hop = await driver.hop(new URL('/oauth2/sessions/logout', server.publicUrl).href);
    expect(hop.status, hop.text).to.equal(302);
    const challenge = new URL(hop.location!).searchParams.get('logout_challenge');
    expect(challenge, hop.location).to.be.a('string');
    return challenge!;
  };
  /** The hidden `_csrf` field of a built-in page. */
  const csrfOf = (page: ApiResponse) => {
    const token = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1];
    expect(token, page.text.slice(0, 300)).to.be.a('string');
    return token!;
  };
  const expectLocation = (r: ApiResponse, pattern: RegExp) =>
    expect(r.headers.get('location')).to.match(pattern);
  /** A device code's user code and a device challenge of the verification URI (RFC 8628). */
  const deviceChallenge = async () => {
    const client = await createClient({ grant_types: [DEVICE_GRANT] });
    const auth = await call(server, 'oAuth2DeviceFlow', {
      form: { client_id: client.client_id },
      basic: [client.client_id, client.client_secret],
    });
    const verify = await call(server, 'performOAuth2DeviceVerificationFlow', { redirect: 'manual' });
    const challenge = new URL(verify.headers.get('location')!).searchParams.get('device_challenge')!;
    return { challenge, userCode: auth.body.user_code as string };
  };

  const table: Record<string, Entry> = {
    createOAuth2Client: {
      status: 201,
      run: (alias) =>
        call(server, 'createOAuth2Client', { ...alias, json: { client_name: 'op', scope: 'read' } }),
      check: (r) => expect(r.body.client_secret).to.be.a('string'),
    },
    listOAuth2Clients: {
      status: 200,
      run: async (alias) => {
        await createClient({ owner: 'op-list' });
        return call(server, 'listOAuth2Clients', { ...alias, query: { owner: 'op-list' } });
      },
      check: (r) => expect(r.body).to.be.an('array').that.is.not.empty,
    },
    getOAuth2Client: {
      status: 200,
      run: async (alias) => {
        const { client_id } = await createClient();
        return call(server, 'getOAuth2Client', { ...alias, params: { id: client_id } });
      },
      check: (r) => expect(r.body).not.to.have.property('client_secret'),
    },
    setOAuth2Client: {
      status: 200,
      run: async (alias) => {
        const { client_id } = await createClient();
        return call(server, 'setOAuth2Client', {
          ...alias,
          params: { id: client_id },
          json: { client_name: 'replaced', scope: 'read' },
        });
      },
      check: (r) => expect(r.body.client_name).to.equal('replaced'),
    },
    patchOAuth2Client: {
      status: 200,
      run: async (alias) => {
        const { client_id } = await createClient();
        return call(server, 'patchOAuth2Client', {
          ...alias,
          params: { id: client_id },
          json: [{ op: 'replace', path: '/client_name', value: 'patched' }],
        });
      },
      check: (r) => expect(r.body.client_name).to.equal('patched'),
    },
    deleteOAuth2Client: {
      status: 204,
      run: async (alias) => {
        const { client_id } = await createClient();
        const response = await call(server, 'deleteOAuth2Client', { ...alias, params: { id: client_id } });
        expect((await call(server, 'getOAuth2Client', { params: { id: client_id } })).status).to.equal(404);
        return response;
      },
    },
    setOAuth2ClientLifespans: {
      status: 200,
      run: async (alias) => {
        const { client_id } = await createClient();
        return call(server, 'setOAuth2ClientLifespans', {
          ...alias,
          params: { id: client_id },
          json: { client_credentials_grant_access_token_lifespan: '2h' },
        });
      },
      check: (r) => expect(r.body.client_credentials_grant_access_token_lifespan).to.equal('2h0m0s'),
    },
    createOidcDynamicClient: {
      status: 201,
      run: (alias) =>
        call(server, 'createOidcDynamicClient', {
          ...alias,
          json: { client_name: 'op-dcr', grant_types: ['client_credentials'], scope: 'read' },
        }),
      check: (r) => {
        expect(r.headers.get('location')).to.equal(`admin/clients/${r.body.client_id}`);
        expect(r.body.registration_access_token).to.match(/^ory_at_/);
      },
    },
    getOidcDynamicClient: {
      status: 200,
      run: async (alias) => {
        const { client_id, registration_access_token } = await registerClient();
        return call(server, 'getOidcDynamicClient', {
          ...alias,
          params: { id: client_id },
          headers: { authorization: `Bearer ${registration_access_token}` },
        });
      },
      check: (r) => expect(r.body).not.to.have.any.keys('client_secret', 'metadata'),
    },
    setOidcDynamicClient: {
      status: 200,
      run: async (alias) => {
        const { client_id, registration_access_token } = await registerClient();
        return call(server, 'setOidcDynamicClient', {
          ...alias,
          params: { id: client_id },
          headers: { authorization: `Bearer ${registration_access_token}` },
          json: { client_name: 'op-dcr-replaced', scope: 'read' },
        });
      },
      check: (r) => {
        expect(r.body.client_name).to.equal('op-dcr-replaced');
        expect(r.body.registration_access_token).to.match(/^ory_at_/);
      },
    },
    deleteOidcDynamicClient: {
      status: 204,
      run: async (alias) => {
        const { client_id, registration_access_token } = await registerClient();
        return call(server, 'deleteOidcDynamicClient', {
          ...alias,
          params: { id: client_id },
          headers: { authorization: `Bearer ${registration_access_token}` },
        });
      },
    },
    introspectOAuth2Token: {
      status: 200,
      run: async (alias) => {
        const { token } = await issueToken();
        return call(server, 'introspectOAuth2Token', { ...alias, form: { token } });
      },
      check: (r) => expect(r.body).to.include({ active: true, scope: 'read' }),
    },
    deleteOAuth2Token: {
      status: 204,
      run: async (alias) => {
        const { client, token } = await issueToken();
        const response = await call(server, 'deleteOAuth2Token', {
          ...alias,
          query: { client_id: client.client_id },
        });
        expect((await call(server, 'introspectOAuth2Token', { form: { token } })).body).to.deep.equal({
          active: false,
        });
        return response;
      },
    },
    getJsonWebKeySet: {
      status: 200,
      run: async (alias) => {
        const set = unique('op-set');
        await createKeySet(set, 'k1');
        return call(server, 'getJsonWebKeySet', { ...alias, params: { set } });
      },
      check: (r) => expect(r.body.keys.map((k: { kid: string }) => k.kid)).to.deep.equal(['k1']),
    },
    createJsonWebKeySet: {
      status: 201,
      run: (alias) =>
        call(server, 'createJsonWebKeySet', {
          ...alias,
          params: { set: unique('op-set') },
          json: { alg: 'ES256', use: 'sig', kid: 'k1' },
        }),
      check: (r) => expect(r.body.keys[0]).to.include({ kid: 'k1', alg: 'ES256', kty: 'EC' }),
    },
    setJsonWebKeySet: {
      status: 200,
      run: (alias) =>
        call(server, 'setJsonWebKeySet', {
          ...alias,
          params: { set: unique('op-set') },
          json: { keys: [esJwk('k1')] },
        }),
      check: (r) => expect(r.body.keys[0]).to.include({ kid: 'k1' }),
    },
    deleteJsonWebKeySet: {
      status: 204,
      run: async (alias) => {
        const set = unique('op-set');
        await createKeySet(set, 'k1');
        const response = await call(server, 'deleteJsonWebKeySet', { ...alias, params: { set } });
        expect((await call(server, 'getJsonWebKeySet', { params: { set } })).status).to.equal(404);
        return response;
      },
    },
    getJsonWebKey: {
      status: 200,
      run: async (alias) => {
        const set = unique('op-set');
        await createKeySet(set, 'k1');
        return call(server, 'getJsonWebKey', { ...alias, params: { set, kid: 'k1' } });
      },
      check: (r) => expect(r.body.keys[0]).to.include({ kid: 'k1' }),
    },
    setJsonWebKey: {
      status: 200,
      run: (alias) =>
        call(server, 'setJsonWebKey', {
          ...alias,
          params: { set: unique('op-set'), kid: 'k2' },
          json: esJwk('k2'),
        }),
      check: (r) => expect(r.body).to.include({ kid: 'k2', alg: 'ES256' }),
    },
    deleteJsonWebKey: {
      status: 204,
      run: async (alias) => {
        const set = unique('op-set');
        await createKeySet(set, 'k1');
        await createKeySet(set, 'k2');
        const response = await call(server, 'deleteJsonWebKey', { ...alias, params: { set, kid: 'k1' } });
        const left = await call(server, 'getJsonWebKeySet', { params: { set } });
        expect(left.body.keys.map((k: { kid: string }) => k.kid)).to.deep.equal(['k2']);
        return response;
      },
    },
    // RFC 7523 jwt-bearer trust relationships: each entry makes its own (issuer, subject, kid is unique).
    trustOAuth2JwtGrantIssuer: {
      status: 201,
      run: (alias) => trustIssuer(alias),
      check: (r) => expect(r.body.public_key).to.deep.equal({ set: r.body.issuer, kid: 'trust-k' }),
    },
    listTrustedOAuth2JwtGrantIssuers: {
      status: 200,
      run: async (alias) => {
        const created = await trustIssuer();
        return call(server, 'listTrustedOAuth2JwtGrantIssuers', {
          ...alias,
          query: { issuer: created.body.issuer },
        });
      },
      check: (r) => expect(r.body).to.have.length(1),
    },
    getTrustedOAuth2JwtGrantIssuer: {
      status: 200,
      run: async (alias) => {
        const created = await trustIssuer();
        return call(server, 'getTrustedOAuth2JwtGrantIssuer', { ...alias, params: { id: created.body.id } });
      },
      check: (r) => expect(r.body.subject).to.equal('op-subject'),
    },
    deleteTrustedOAuth2JwtGrantIssuer: {
      status: 204,
      run: async (alias) => {
        const created = await trustIssuer();
        return call(server, 'deleteTrustedOAuth2JwtGrantIssuer', {
          ...alias,
          params: { id: created.body.id },
        });
      },
    },
    getVersion: {
      status: 200,
      run: (alias) => call(server, 'getVersion', alias),
      check: (r) => expect(r.body.version).to.be.a('string').that.is.not.empty,
    },
    getPrometheusMetrics: {
      status: 200,
      run: (alias) => call(server, 'getPrometheusMetrics', alias),
      check: (r) => expect(r.text).to.match(/^# HELP tollgate_http_requests_total /m),
    },
    isAlive: {
      status: 200,
      run: (alias) => call(server, 'isAlive', alias),
      check: (r) => expect(r.body).to.deep.equal({ status: 'ok' }),
    },
    isReady: {
      status: 200,
      run: (alias) => call(server, 'isReady', alias),
      check: (r) => expect(r.body).to.deep.equal({ status: 'ok' }),
    },
    oauth2TokenExchange: {
      status: 200,
      run: async (alias) => {
        const client = await createClient();
        return call(server, 'oauth2TokenExchange', {
          ...alias,
          form: { grant_type: 'client_credentials', scope: 'read write' },
          basic: [client.client_id, client.client_secret],
        });
      },
      check: (r) =>
        expect(r.body).to.include({ scope: 'read write', token_type: 'bearer', expires_in: 3599 }),
    },
    revokeOAuth2Token: {
      status: 200,
      run: async (alias) => {
        const { client, token } = await issueToken();
        const response = await call(server, 'revokeOAuth2Token', {
          ...alias,
          form: { token },
          basic: [client.client_id, client.client_secret],
        });
        expect((await call(server, 'introspectOAuth2Token', { form: { token } })).body).to.deep.equal({
          active: false,
        });
        return response;
      },
    },
    discoverOidcConfiguration: {
      status: 200,
      run: (alias) => call(server, 'discoverOidcConfiguration', alias),
      check: (r) => expect(r.body.issuer).to.equal('http://127.0.0.1:4444/'),
    },
    discoverOAuth2AuthorizationServer: {
      status: 200,
      run: (alias) => call(server, 'discoverOAuth2AuthorizationServer', alias),
      check: (r) => expect(r.body.issuer).to.equal('http://127.0.0.1:4444/'),
    },
    discoverJsonWebKeys: {
      status: 200,
      run: (alias) => call(server, 'discoverJsonWebKeys', alias),
      check: (r) => expect(r.body.keys).to.have.length.of.at.least(2),
    },
    oAuth2Authorize: {
      status: 302,
      run: async (alias) => {
        const { params } = await authorizeParams();
        return call(server, 'oAuth2Authorize', { ...alias, query: params, redirect: 'manual' });
      },
      check: (r) => expectLocation(r, /\/oauth2\/fallbacks\/login\?login_challenge=/),
    },
    oAuth2AuthorizeWithForm: {
      status: 302,
      run: async (alias) => {
        const { params } = await authorizeParams();
        return call(server, 'oAuth2AuthorizeWithForm', { ...alias, form: params, redirect: 'manual' });
      },
      check: (r) => expectLocation(r, /\/oauth2\/fallbacks\/login\?login_challenge=/),
    },
    getOAuth2FallbackError: {
      status: 400,
      run: (alias) =>
        call(server, 'getOAuth2FallbackError', {
          ...alias,
          query: { error: 'invalid_client', error_description: 'Client authentication failed.' },
        }),
      check: (r) => expect(r.text).to.include('invalid_client'),
    },
    getOidcUserInfo: {
      status: 200,
      run: async (alias) => {
        const token = await signIn(unique('op-user'));
        return call(server, 'getOidcUserInfo', { ...alias, headers: { authorization: `Bearer ${token}` } });
      },
      check: (r) => expect(r.body.sub).to.match(/^op-user-/),
    },
    postOidcUserInfo: {
      status: 200,
      run: async (alias) => {
        const token = await signIn(unique('op-user'));
        return call(server, 'postOidcUserInfo', { ...alias, form: { access_token: token } });
      },
      check: (r) => expect(r.body.sub).to.match(/^op-user-/),
    },
    getOAuth2LoginRequest: {
      status: 200,
      run: async (alias) => {
        const { challenge } = await loginChallenge();
        return call(server, 'getOAuth2LoginRequest', { ...alias, query: { login_challenge: challenge } });
      },
      check: (r) => expect(r.body).to.include({ skip: false }),
    },
    acceptOAuth2LoginRequest: {
      status: 200,
      run: async (alias) => {
        const { challenge } = await loginChallenge();
        return call(server, 'acceptOAuth2LoginRequest', {
          ...alias,
          query: { login_challenge: challenge },
          json: { subject: 'foo@bar.com' },
        });
      },
      check: (r) => expect(r.body.redirect_to).to.match(/\/oauth2\/auth\?.*login_verifier=/),
    },
    rejectOAuth2LoginRequest: {
      status: 200,
      run: async (alias) => {
        const { challenge } = await loginChallenge();
        return call(server, 'rejectOAuth2LoginRequest', {
          ...alias,
          query: { login_challenge: challenge },
          json: { error: 'access_denied' },
        });
      },
      check: (r) => expect(r.body.redirect_to).to.match(/\/oauth2\/auth\?.*login_verifier=/),
    },
    getOAuth2ConsentRequest: {
      status: 200,
      run: async (alias) => {
        const challenge = await consentChallenge();
        return call(server, 'getOAuth2ConsentRequest', { ...alias, query: { consent_challenge: challenge } });
      },
      check: (r) => expect(r.body).to.include({ subject: 'foo@bar.com' }),
    },
    acceptOAuth2ConsentRequest: {
      status: 200,
      run: async (alias) => {
        const challenge = await consentChallenge();
        return call(server, 'acceptOAuth2ConsentRequest', {
          ...alias,
          query: { consent_challenge: challenge },
          json: { grant_scope: ['openid'] },
        });
      },
      check: (r) => expect(r.body.redirect_to).to.match(/\/oauth2\/auth\?.*consent_verifier=/),
    },
    rejectOAuth2ConsentRequest: {
      status: 200,
      run: async (alias) => {
        const challenge = await consentChallenge();
        return call(server, 'rejectOAuth2ConsentRequest', {
          ...alias,
          query: { consent_challenge: challenge },
          json: {},
        });
      },
      check: (r) => expect(r.body.redirect_to).to.match(/\/oauth2\/auth\?.*consent_verifier=/),
    },
    listOAuth2ConsentSessions: {
      status: 200,
      run: async (alias) => {
        const subject = unique('op-user');
        await signIn(subject);
        return call(server, 'listOAuth2ConsentSessions', { ...alias, query: { subject } });
      },
      check: (r) => expect(r.body).to.have.length(1),
    },
    revokeOAuth2ConsentSessions: {
      status: 204,
      run: async (alias) => {
        const subject = unique('op-user');
        await signIn(subject);
        const response = await call(server, 'revokeOAuth2ConsentSessions', {
          ...alias,
          query: { subject, all: 'true' },
        });
        const left = await call(server, 'listOAuth2ConsentSessions', { query: { subject } });
        expect(left.body).to.deep.equal([]);
        return response;
      },
    },
    revokeOAuth2LoginSessions: {
      status: 204,
      run: async (alias) => {
        const subject = unique('op-user');
        await signIn(subject);
        return call(server, 'revokeOAuth2LoginSessions', { ...alias, query: { subject } });
      },
    },
    getDevLogin: {
      status: 200,
      run: async (alias) => {
        const { challenge } = await loginChallenge();
        return call(server, 'getDevLogin', { ...alias, query: { login_challenge: challenge } });
      },
      check: (r) => expect(r.text).to.match(/name="_csrf"/),
    },
    submitDevLogin: {
      status: 303,
      run: async (alias) => {
        const { challenge } = await loginChallenge();
        const page = await call(server, 'getDevLogin', { query: { login_challenge: challenge } });
        return call(server, 'submitDevLogin', {
          ...alias,
          form: { challenge, _csrf: csrfOf(page), email: 'foo@bar.com', password: 'foobar', action: 'login' },
          redirect: 'manual',
        });
      },
      check: (r) => expectLocation(r, /\/oauth2\/auth\?.*login_verifier=/),
    },
    getDevConsent: {
      status: 200,
      run: async (alias) => {
        const challenge = await consentChallenge();
        return call(server, 'getDevConsent', { ...alias, query: { consent_challenge: challenge } });
      },
      check: (r) => expect(r.text).to.match(/name="_csrf"/),
    },
    submitDevConsent: {
      status: 303,
      run: async (alias) => {
        const challenge = await consentChallenge();
        const page = await call(server, 'getDevConsent', { query: { consent_challenge: challenge } });
        return call(server, 'submitDevConsent', {
          ...alias,
          form: { challenge, _csrf: csrfOf(page), grant_scope: ['openid'], action: 'allow' },
          redirect: 'manual',
        });
      },
      check: (r) => expectLocation(r, /\/oauth2\/auth\?.*consent_verifier=/),
    },
    revokeOidcSession: {
      status: 302,
      run: (alias) => call(server, 'revokeOidcSession', { ...alias, redirect: 'manual' }),
      check: (r) => expectLocation(r, /\/oauth2\/fallbacks\/logout\/callback$/),
    },
    revokeOidcSessionWithForm: {
      status: 302,
      run: (alias) => call(server, 'revokeOidcSessionWithForm', { ...alias, form: {}, redirect: 'manual' }),
      check: (r) => expectLocation(r, /\/oauth2\/fallbacks\/logout\/callback$/),
    },
    getOAuth2FallbackLogoutCallback: {
      status: 200,
      run: (alias) => call(server, 'getOAuth2FallbackLogoutCallback', alias),
      check: (r) => expect(r.text).to.include('signed out'),
    },
    getOAuth2LogoutRequest: {
      status: 200,
      run: async (alias) => {
        const challenge = await logoutChallenge();
        return call(server, 'getOAuth2LogoutRequest', { ...alias, query: { logout_challenge: challenge } });
      },
      check: (r) => expect(r.body).to.include({ rp_initiated: false, client: null }),
    },
    acceptOAuth2LogoutRequest: {
      status: 200,
      run: async (alias) => {
        const challenge = await logoutChallenge();
        return call(server, 'acceptOAuth2LogoutRequest', {
          ...alias,
          query: { logout_challenge: challenge },
        });
      },
      check: (r) => expect(r.body.redirect_to).to.match(/\/oauth2\/sessions\/logout\?logout_verifier=/),
    },
    rejectOAuth2LogoutRequest: {
      status: 204,
      run: async (alias) => {
        const challenge = await logoutChallenge();
        return call(server, 'rejectOAuth2LogoutRequest', {
          ...alias,
          query: { logout_challenge: challenge },
        });
      },
    },
    getDevLogout: {
      status: 200,
      run: async (alias) => {
        const challenge = await logoutChallenge();
        return call(server, 'getDevLogout', { ...alias, query: { logout_challenge: challenge } });
      },
      check: (r) => expect(r.text).to.match(/name="_csrf"/),
    },
    submitDevLogout: {
      status: 303,
      run: async (alias) => {
        const challenge = await logoutChallenge();
        const page = await call(server, 'getDevLogout', { query: { logout_challenge: challenge } });
        return call(server, 'submitDevLogout', {
          ...alias,
          form: { challenge, _csrf: csrfOf(page), action: 'accept' },
          redirect: 'manual',
        });
      },
      check: (r) => expectLocation(r, /\/oauth2\/sessions\/logout\?logout_verifier=/),
    },
    // The device authorization grant (RFC 8628).
    oAuth2DeviceFlow: {
      status: 200,
      run: async (alias) => {
        const client = await createClient({ grant_types: [DEVICE_GRANT] });
        return call(server, 'oAuth2DeviceFlow', {
          ...alias,
          form: { client_id: client.client_id, scope: 'read' },
          basic: [client.client_id, client.client_secret],
        });
      },
      check: (r) => expect(r.body.device_code).to.match(/^ory_dc_/),
    },
    performOAuth2DeviceVerificationFlow: {
      status: 302,
      run: (alias) =>
        call(server, 'performOAuth2DeviceVerificationFlow', {
          ...alias,
          query: { user_code: 'BCDF-GHJK' },
          redirect: 'manual',
        }),
      check: (r) => expectLocation(r, /\/oauth2\/fallbacks\/device\?device_challenge=.*user_code=BCDF-GHJK/),
    },
    acceptUserCodeRequest: {
      status: 200,
      run: async (alias) => {
        const { challenge, userCode } = await deviceChallenge();
        return call(server, 'acceptUserCodeRequest', {
          ...alias,
          query: { device_challenge: challenge },
          json: { user_code: userCode },
        });
      },
      check: (r) =>
        expect(r.body.redirect_to).to.match(/\/oauth2\/device\/verify\?client_id=.*device_verifier=/),
    },
    getDevDeviceVerification: {
      status: 200,
      run: async (alias) => {
        const { challenge } = await deviceChallenge();
        return call(server, 'getDevDeviceVerification', { ...alias, query: { device_challenge: challenge } });
      },
      check: (r) => expect(r.text).to.match(/name="_csrf"/),
    },
    submitDevDeviceVerification: {
      status: 303,
      run: async (alias) => {
        const { challenge, userCode } = await deviceChallenge();
        const page = await call(server, 'getDevDeviceVerification', {
          query: { device_challenge: challenge },
        });
        return call(server, 'submitDevDeviceVerification', {
          ...alias,
          form: { device_challenge: challenge, _csrf: csrfOf(page), user_code: userCode },
          redirect: 'manual',
        });
      },
      check: (r) => expectLocation(r, /\/oauth2\/device\/verify\?client_id=.*device_verifier=/),
    },
    getDevDeviceDone: {
      status: 200,
      run: (alias) => call(server, 'getDevDeviceDone', { ...alias, query: { client_id: 'a-device' } }),
      check: (r) => expect(r.text).to.match(/role="status"/),
    },
  };

  it('the table covers every operationId of openapi.yaml, and nothing else', () => {
    expect(Object.keys(table).sort()).to.deep.equal([...contract.operations.keys()].sort());
  });

  for (const [operationId, entry] of Object.entries(table)) {
    const operation = contract.operations.get(operationId);
    const admin = operation?.path.startsWith('/admin/') ?? false;

    it(`${operationId}: ${operation?.method.toUpperCase()} ${operation?.path} → ${entry.status}`, async () => {
      const response = await entry.run({});
      expect(response.status, response.text).to.equal(entry.status);
      entry.check?.(response);
      // RFC 6749 §5.1: an operation the contract marks as carrying a secret, a token or a verifier is not cached.
      if (operation?.noStore) {
        expect(response.headers.get('cache-control'), operationId).to.match(/(^|, )no-store(,|$)/);
        expect(response.headers.get('pragma'), operationId).to.equal('no-cache');
      }
    });

    if (admin) {
      it(`${operationId}: also without the /admin prefix (${operation?.path.slice('/admin'.length)})`, async () => {
        const response = await entry.run({ unprefixed: true });
        expect(response.status, response.text).to.equal(entry.status);
        entry.check?.(response);
      });
    }
  }

  for (const operationId of ['isAlive', 'isReady'] as const) {
    it(`${operationId} answers on the public port too`, async () => {
      const response = await call(server, operationId, { port: 'public' });
      expect(response.status).to.equal(200);
      expect(response.body).to.deep.equal({ status: 'ok' });
    });

    it(`${operationId} answers under /admin on the admin port (Hydra's prefix rewrite)`, async () => {
      const path = `/admin${contract.operations.get(operationId)!.path}`;
      const response = await raw(server.adminUrl, path);
      expect(response.status).to.equal(200);
      expect(
        contract.checkResponse(
          operationId,
          response.status,
          response.headers.get('content-type') ?? '',
          response.body,
        ),
      ).to.equal(null);
      expect(response.body).to.deep.equal({ status: 'ok' });
    });
  }

  it('the admin aliases are not served on the public port', async () => {
    for (const path of ['/admin/clients', '/clients', '/version', '/admin/version']) {
      const response = await raw(server.publicUrl, path);
      expect(response.status, path).to.equal(404);
    }
  });

  it('every GET answers Cache-Control: private, no-cache, no-store, must-revalidate', async () => {
    for (const operationId of ['listOAuth2Clients', 'getVersion', 'isAlive', 'discoverOidcConfiguration']) {
      const response = await call(server, operationId);
      expect(response.headers.get('cache-control'), operationId).to.equal(
        'private, no-cache, no-store, must-revalidate',
      );
    }
  });
});
