// Ory's own SDK (`@ory/hydra-client` v26, axios-based), unchanged, drives Tollgate's admin API: wire
// compatibility as a real Hydra user would see it. Assertions are on what the SDK parsed.
import { Configuration, MetadataApi, OAuth2Api, type OAuth2Client } from '@ory/hydra-client';
import axios, { type AxiosResponse } from 'axios';
import { expect } from 'chai';
import { VERSION } from '../../server/version.js';
import { contractProblem } from '../helpers/api.js';
import { FlowDriver, randomState, webClient } from '../helpers/flow-driver.js';
import { basicHeader } from '../helpers/oauth2.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/** Every response the SDK receives is checked against openapi.yaml too. */
const checked: string[] = [];
function conform(response: AxiosResponse) {
  const { method = 'get', url = '' } = response.config;
  const problem = contractProblem(
    method,
    new URL(url, response.config.baseURL).toString(),
    response.status,
    String(response.headers['content-type'] ?? '') || undefined,
    response.data,
  );
  expect(problem, `${method} ${url} ${response.status}`).to.equal(null);
  checked.push(`${method.toUpperCase()} ${response.status}`);
}
const http = axios.create();
http.interceptors.response.use(
  (response) => {
    conform(response);
    return response;
  },
  (error) => {
    if (axios.isAxiosError(error) && error.response) conform(error.response);
    return Promise.reject(error);
  },
);
const isAxiosError = axios.isAxiosError;
// The SDK is CommonJS and sees axios's CommonJS typings; the instance is the same object at run time.
const sdkHttp = http as unknown as ConstructorParameters<typeof OAuth2Api>[2];

describe('the official Ory SDK (@ory/hydra-client) against Tollgate', () => {
  let server: TestServer;
  let oauth2: OAuth2Api;
  let metadata: MetadataApi;

  before(async () => {
    server = await startTestServer();
    const configuration = new Configuration({ basePath: server.adminUrl });
    oauth2 = new OAuth2Api(configuration, undefined, sdkHttp);
    metadata = new MetadataApi(configuration, undefined, sdkHttp);
  });
  after(async () => {
    await server?.close();
    // The interceptor really saw the SDK's traffic, success and errors alike.
    expect(checked.length).to.be.above(10);
    expect(checked.some((c) => c.endsWith(' 404'))).to.equal(true);
  });

  /** A client_credentials token from the public port (the SDK's oauth2TokenExchange is for code flows). */
  async function fetchToken(client: OAuth2Client, secret: string, scope: string): Promise<string> {
    const res = await fetch(new URL('/oauth2/token', server.publicUrl), {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: basicHeader(client.client_id!, secret),
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope }),
    });
    expect(res.status).to.equal(200);
    return ((await res.json()) as { access_token: string }).access_token;
  }

  async function expectStatus(promise: Promise<unknown>, status: number) {
    try {
      await promise;
    } catch (err) {
      expect(isAxiosError(err), String(err)).to.equal(true);
      if (isAxiosError(err)) expect(err.response?.status).to.equal(status);
      return;
    }
    expect.fail(`expected the SDK call to fail with ${status}`);
  }

  it('getVersion (GET /version, without the /admin prefix)', async () => {
    const { status, data } = await metadata.getVersion();
    expect(status).to.equal(200);
    expect(data.version).to.equal(VERSION);
  });

  it('isAlive and isReady', async () => {
    expect((await metadata.isAlive()).data.status).to.equal('ok');
    expect((await metadata.isReady()).data.status).to.equal('ok');
  });

  it('creates, gets, lists, updates, patches and deletes a client', async () => {
    const created = await oauth2.createOAuth2Client({
      oAuth2Client: {
        client_name: 'sdk-client',
        client_secret: 'sdk-secret-0123456789',
        grant_types: ['client_credentials'],
        scope: 'read write',
        audience: ['https://api.example'],
        owner: 'sdk-owner',
        metadata: { team: 'payments' },
      },
    });
    expect(created.status).to.equal(201);
    const client = created.data;
    expect(client.client_id).to.be.a('string').that.is.not.empty;
    expect(client).to.include({
      client_name: 'sdk-client',
      client_secret: 'sdk-secret-0123456789',
      scope: 'read write',
      owner: 'sdk-owner',
      token_endpoint_auth_method: 'client_secret_basic',
    });
    expect(client.grant_types).to.deep.equal(['client_credentials']);
    expect(client.audience).to.deep.equal(['https://api.example']);
    expect(client.metadata).to.deep.equal({ team: 'payments' });
    expect(new Date(client.created_at!).getTime()).to.be.closeTo(Date.now(), 60_000);
    const id = client.client_id!;

    const got = await oauth2.getOAuth2Client({ id });
    expect(got.status).to.equal(200);
    expect(got.data).to.include({ client_id: id, client_name: 'sdk-client', scope: 'read write' });
    expect(got.data).not.to.have.property('client_secret');

    await oauth2.createOAuth2Client({ oAuth2Client: { client_name: 'sdk-other', owner: 'sdk-owner' } });
    const listed = await oauth2.listOAuth2Clients({ owner: 'sdk-owner' });
    expect(listed.status).to.equal(200);
    expect(listed.data.map((c) => c.client_name).sort()).to.deep.equal(['sdk-client', 'sdk-other']);
    const page = await oauth2.listOAuth2Clients({ pageSize: 1, owner: 'sdk-owner' });
    expect(page.data).to.have.length(1);
    expect(String(page.headers.link)).to.match(/rel="next"/);
    const byName = await oauth2.listOAuth2Clients({ clientName: 'sdk-client' });
    expect(byName.data.map((c) => c.client_id)).to.deep.equal([id]);

    const updated = await oauth2.setOAuth2Client({
      id,
      oAuth2Client: {
        client_name: 'sdk-client-renamed',
        grant_types: ['client_credentials'],
        scope: 'read write admin',
        owner: 'sdk-owner',
      },
    });
    expect(updated.status).to.equal(200);
    expect(updated.data).to.include({
      client_id: id,
      client_name: 'sdk-client-renamed',
      scope: 'read write admin',
    });
    expect(updated.data.audience).to.deep.equal([]);

    const patched = await oauth2.patchOAuth2Client({
      id,
      jsonPatch: [
        { op: 'replace', path: '/client_name', value: 'sdk-client-patched' },
        { op: 'add', path: '/audience/-', value: 'https://patched.example' },
        { op: 'replace', path: '/client_credentials_grant_access_token_lifespan', value: '15m' },
      ],
    });
    expect(patched.status).to.equal(200);
    expect(patched.data).to.include({
      client_id: id,
      client_name: 'sdk-client-patched',
      scope: 'read write admin',
      client_credentials_grant_access_token_lifespan: '15m0s',
    });
    expect(patched.data.audience).to.deep.equal(['https://patched.example']);
    expect((await oauth2.getOAuth2Client({ id })).data.client_name).to.equal('sdk-client-patched');

    // The secret survived PUT (none was sent) and PATCH: the client still authenticates with it.
    const token = await fetchToken(patched.data, 'sdk-secret-0123456789', 'admin');
    expect(token).to.match(/^ory_at_/);

    const deleted = await oauth2.deleteOAuth2Client({ id });
    expect(deleted.status).to.equal(204);
    await expectStatus(oauth2.getOAuth2Client({ id }), 404);
    await expectStatus(oauth2.deleteOAuth2Client({ id }), 404);
  });

  it('introspects a token and deletes a client’s tokens', async () => {
    const { data: client } = await oauth2.createOAuth2Client({
      oAuth2Client: {
        client_secret: 'sdk-secret-abcdefghij',
        grant_types: ['client_credentials'],
        scope: 'read write',
      },
    });
    const token = await fetchToken(client, 'sdk-secret-abcdefghij', 'read');

    const active = await oauth2.introspectOAuth2Token({ token });
    expect(active.status).to.equal(200);
    expect(active.data).to.include({
      active: true,
      scope: 'read',
      client_id: client.client_id,
      sub: client.client_id,
      token_type: 'Bearer',
      token_use: 'access_token',
      iss: 'http://127.0.0.1:4444/',
    });
    expect(active.data.exp! - active.data.iat!).to.equal(3600);
    expect(active.data.aud).to.deep.equal([]);

    expect((await oauth2.introspectOAuth2Token({ token, scope: 'read' })).data.active).to.equal(true);
    expect((await oauth2.introspectOAuth2Token({ token, scope: 'write' })).data).to.deep.equal({
      active: false,
    });

    const deleted = await oauth2.deleteOAuth2Token({ clientId: client.client_id! });
    expect(deleted.status).to.equal(204);
    expect((await oauth2.introspectOAuth2Token({ token })).data).to.deep.equal({ active: false });
  });

  it('drives login and consent with the nine OAuth2Api calls (requests, decisions, sessions)', async () => {
    const client = await webClient(server);
    const start = {
      client_id: client.client_id,
      response_type: 'code',
      redirect_uri: 'http://127.0.0.1:5555/cb',
      scope: 'openid offline_access',
      state: randomState(),
    };
    const subject = `sdk-${process.pid}`;
    const driver = new FlowDriver(server);
    const { challenge: loginChallenge } = await driver.startLogin(start);
    const login = await oauth2.getOAuth2LoginRequest({ loginChallenge });
    expect(login.data.challenge).to.equal(loginChallenge);
    expect(login.data.skip).to.equal(false);
    expect(login.data.client.client_id).to.equal(client.client_id);
    const accepted = await oauth2.acceptOAuth2LoginRequest({
      loginChallenge,
      acceptOAuth2LoginRequest: { subject, remember: true, remember_for: 3600 },
    });
    const { challenge: consentChallenge } = await driver.toConsent(accepted.data.redirect_to);
    const consent = await oauth2.getOAuth2ConsentRequest({ consentChallenge });
    expect(consent.data.subject).to.equal(subject);
    expect(consent.data.consent_request_id).to.match(/^[0-9a-f]{32}$/);
    expect(consent.data.requested_scope).to.deep.equal(['openid', 'offline_access']);
    const granted = await oauth2.acceptOAuth2ConsentRequest({
      consentChallenge,
      acceptOAuth2ConsentRequest: { grant_scope: ['openid', 'offline_access'], remember: true },
    });
    const final = await driver.hop(granted.data.redirect_to);
    expect(new URL(final.location!).searchParams.get('code')).to.be.a('string');
    // A used request answers 410 with the restart URL, which the SDK surfaces as an error.
    await expectStatus(oauth2.getOAuth2LoginRequest({ loginChallenge }), 410);

    // Rejections: a second flow rejected at login, a third at consent.
    const { challenge: second } = await driver.startLogin({
      ...start,
      prompt: 'login',
      state: randomState(),
    });
    const rejected = await oauth2.rejectOAuth2LoginRequest({
      loginChallenge: second,
      rejectOAuth2Request: { error: 'access_denied', error_description: 'No.' },
    });
    const denied = await driver.hop(rejected.data.redirect_to);
    expect(new URL(denied.location!).searchParams.get('error')).to.equal('access_denied');
    const { challenge: third } = await driver.startLogin({
      ...start,
      prompt: 'consent',
      state: randomState(),
    });
    const third2 = await oauth2.acceptOAuth2LoginRequest({
      loginChallenge: third,
      acceptOAuth2LoginRequest: { subject },
    });
    const { challenge: thirdConsent } = await driver.toConsent(third2.data.redirect_to);
    const refused = await oauth2.rejectOAuth2ConsentRequest({
      consentChallenge: thirdConsent,
      rejectOAuth2Request: {},
    });
    const refusedHop = await driver.hop(refused.data.redirect_to);
    expect(new URL(refusedHop.location!).searchParams.get('error')).to.equal('consent request denied');

    const sessions = await oauth2.listOAuth2ConsentSessions({ subject });
    expect(sessions.data).to.have.length(1);
    expect(sessions.data[0]!.consent_request?.subject).to.equal(subject);
    expect(sessions.data[0]!.grant_scope).to.deep.equal(['openid', 'offline_access']);
    await oauth2.revokeOAuth2ConsentSessions({ subject, all: true });
    expect((await oauth2.listOAuth2ConsentSessions({ subject })).data).to.deep.equal([]);
    await oauth2.revokeOAuth2LoginSessions({ subject });
    const { challenge: fourth } = await driver.startLogin({ ...start, state: randomState() });
    expect((await oauth2.getOAuth2LoginRequest({ loginChallenge: fourth })).data.skip).to.equal(false);
  });

  it('surfaces Hydra’s error JSON through axios errors', async () => {
    try {
      await oauth2.getOAuth2Client({ id: 'no-such-client' });
      expect.fail('expected a 404');
    } catch (err) {
      expect(isAxiosError(err)).to.equal(true);
      if (!isAxiosError(err)) return;
      expect(err.response?.status).to.equal(404);
      expect(err.response?.data).to.deep.equal({
        error: 'Unable to locate the resource',
        error_description: '',
      });
    }
  });
});
