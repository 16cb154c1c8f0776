// Pairwise subject identifiers over real HTTP against PostgreSQL (OIDC Core §8.1; Hydra's
// consent/subject_identifier_pairwise.go): the pairwise `sub` in the ID token and userinfo, the raw `sub` plus
// `obfuscated_subject` in introspection, sectors (redirect host or sector_identifier_uri, fetched through the
// SSRF guard and checked against the redirect URIs), and the configuration rules.
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../server/config.js';
import { type ApiResponse, call } from '../helpers/api.js';
import { exchangeCode, FlowDriver, randomState, webClient } from '../helpers/flow-driver.js';
import { type CreatedClient, introspect } from '../helpers/oauth2.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const SALT = 'a-pairwise-salt-0123456789';
const SUBJECT = 'alice@example.com';
const REDIRECT = 'http://127.0.0.1:5555/cb';
const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8'));
const sha256hex = (s: string) => createHash('sha256').update(s).digest('hex');

/** Serves sector documents: `documents[path]` is the reply body (status 200), anything else 404. */
async function sectorServer() {
  const documents: Record<string, string> = {};
  const server: Server = createServer((req, res) => {
    const body = documents[req.url ?? ''];
    if (body === undefined) res.writeHead(404).end();
    else res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    documents,
    url: (path: string) => `${base}${path}`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** Login and consent for `client` and the code exchange; the token response. */
async function tokensFor(server: TestServer, client: CreatedClient, redirect = REDIRECT) {
  const driver = new FlowDriver(server);
  const { params } = await driver.login(
    {
      client_id: client.client_id,
      response_type: 'code',
      redirect_uri: redirect,
      scope: 'openid offline_access',
      state: randomState(),
    },
    { subject: SUBJECT, consent: { session: { id_token: { email: SUBJECT } } } },
  );
  const res = await exchangeCode(server, client, { code: params.get('code')!, redirect_uri: redirect });
  expect(res.status, res.text).to.equal(200);
  return res.body as Record<string, string>;
}

async function userinfo(server: TestServer, token: string) {
  const res = await call(server, 'getOidcUserInfo', { headers: { authorization: `Bearer ${token}` } });
  expect(res.status, res.text).to.equal(200);
  return res.body as Record<string, unknown>;
}

/** The admin API's refusal of client metadata (Hydra's `invalid_client_metadata`, 400). */
function expectMetadataError(res: ApiResponse) {
  expect(res.status, res.text).to.equal(400);
  expect(res.body.error, res.text).to.equal('invalid_client_metadata');
}

const createClientRaw = (server: TestServer, body: Record<string, unknown>) =>
  call(server, 'createOAuth2Client', { json: body });

describe('pairwise subject identifiers', () => {
  let sectors: Awaited<ReturnType<typeof sectorServer>>;
  before(async () => {
    sectors = await sectorServer();
  });
  after(() => sectors?.close());

  describe('with pairwise enabled (and private addresses allowed for the test sector documents)', () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer({
        'urls.login': 'http://127.0.0.1:9/login',
        'urls.consent': 'http://127.0.0.1:9/consent',
        'oidc.subject_identifiers.supported_types': ['public', 'pairwise'],
        'oidc.subject_identifiers.pairwise.salt': SALT,
        'clients.http.disallow_private_ip_ranges': false,
      });
    });
    after(() => server?.close());

    it('discovery lists both subject types', async () => {
      const res = await call(server, 'discoverOidcConfiguration');
      expect(res.body.subject_types_supported).to.deep.equal(['public', 'pairwise']);
    });

    it('the ID token and userinfo carry the pairwise sub; introspection the raw sub and obfuscated_subject', async () => {
      const client = await webClient(server, { subject_type: 'pairwise' });
      expect(client.subject_type).to.equal('pairwise');
      const tokens = await tokensFor(server, client);
      // The sector is the redirect URI's host:port (Go's URL.Host).
      const expected = sha256hex(`127.0.0.1:5555${SUBJECT}${SALT}`);
      expect(claimsOf(tokens.id_token!).sub).to.equal(expected);
      expect((await userinfo(server, tokens.access_token!)).sub).to.equal(expected);
      const access = await introspect(server, tokens.access_token!);
      expect(access).to.include({ sub: SUBJECT, obfuscated_subject: expected });
      // Hydra's key order: obfuscated_subject right after sub.
      expect(Object.keys(access).slice(3, 5)).to.deep.equal(['sub', 'obfuscated_subject']);
      expect(await introspect(server, tokens.refresh_token!)).to.include({
        sub: SUBJECT,
        obfuscated_subject: expected,
      });
      // A refreshed ID token keeps the pairwise sub.
      const refreshed = await call(server, 'oauth2TokenExchange', {
        form: { grant_type: 'refresh_token', refresh_token: tokens.refresh_token! },
        headers: {
          authorization: `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}`,
        },
      });
      expect(refreshed.status, refreshed.text).to.equal(200);
      expect(claimsOf(refreshed.body.id_token).sub).to.equal(expected);
    });

    it('an id_token_hint carrying the pairwise sub is the session’s subject (prompt=none re-authorization)', async () => {
      const client = await webClient(server, { subject_type: 'pairwise' });
      const driver = new FlowDriver(server);
      const params = {
        client_id: client.client_id,
        response_type: 'code',
        redirect_uri: REDIRECT,
        scope: 'openid',
      };
      const decisions = {
        subject: SUBJECT,
        login: { remember: true },
        consent: { remember: true },
      };
      const first = await driver.login({ ...params, state: randomState() }, decisions);
      const exchanged = await exchangeCode(server, client, {
        code: first.params.get('code')!,
        redirect_uri: REDIRECT,
      });
      const hint = exchanged.body.id_token as string;
      expect(claimsOf(hint).sub).to.not.equal(SUBJECT);
      // Hydra accepts a hint whose sub is the subject or the client's pairwise value of it.
      const again = await driver.login(
        { ...params, state: randomState(), prompt: 'none', id_token_hint: hint },
        decisions,
      );
      expect(again.params.get('error'), again.hop.location).to.equal(null);
      expect(again.params.get('code')).to.be.a('string');
    });

    it('clients of different sectors get different subs, clients of one sector the same, public clients the subject', async () => {
      const a = await webClient(server, { subject_type: 'pairwise' });
      const sameHost = await webClient(server, {
        subject_type: 'pairwise',
        // Several redirect URIs on one host are one sector (OIDC Core §8.1).
        redirect_uris: ['http://127.0.0.1:5555/other', REDIRECT],
      });
      const otherHost = await webClient(server, {
        subject_type: 'pairwise',
        redirect_uris: ['http://localhost:5555/cb'],
      });
      const subA = claimsOf((await tokensFor(server, a)).id_token!).sub;
      const subSame = claimsOf((await tokensFor(server, sameHost)).id_token!).sub;
      const subOther = claimsOf(
        (await tokensFor(server, otherHost, 'http://localhost:5555/cb')).id_token!,
      ).sub;
      expect(subSame).to.equal(subA);
      expect(subOther).to.not.equal(subA);
      expect(subOther).to.equal(sha256hex(`localhost:5555${SUBJECT}${SALT}`));
      // A public client of the same sector keeps the subject itself, and introspection adds nothing.
      const publicClient = await webClient(server);
      expect(publicClient.subject_type).to.equal('public');
      const tokens = await tokensFor(server, publicClient);
      expect(claimsOf(tokens.id_token!).sub).to.equal(SUBJECT);
      expect((await userinfo(server, tokens.access_token!)).sub).to.equal(SUBJECT);
      expect(await introspect(server, tokens.access_token!)).not.to.have.property('obfuscated_subject');
    });

    it('a sector_identifier_uri that lists every redirect URI is the sector', async () => {
      sectors.documents['/sector.json'] = JSON.stringify([REDIRECT, 'https://app.example.com/cb']);
      const sectorUri = sectors.url('/sector.json');
      const one = await webClient(server, {
        subject_type: 'pairwise',
        sector_identifier_uri: sectorUri,
        redirect_uris: [REDIRECT, 'https://app.example.com/cb'],
      });
      const two = await webClient(server, { subject_type: 'pairwise', sector_identifier_uri: sectorUri });
      const expected = sha256hex(`${sectorUri}${SUBJECT}${SALT}`);
      expect(claimsOf((await tokensFor(server, one)).id_token!).sub).to.equal(expected);
      expect(claimsOf((await tokensFor(server, two)).id_token!).sub).to.equal(expected);
    });

    const badDocuments: [string, string | undefined, RegExp][] = [
      [
        'does not list a redirect URI',
        JSON.stringify(['https://app.example.com/cb']),
        /Redirect URL 'http:\/\/127\.0\.0\.1:5555\/cb' does not match values from sector_identifier_uri/,
      ],
      ['is empty', '[]', /contains no items/],
      ['is not a JSON array', '{"redirect_uris": []}', /must answer a JSON array of URIs/],
      ['is not found', undefined, /HTTP status 404/],
    ];
    for (const [name, body, hint] of badDocuments) {
      it(`refuses a sector_identifier_uri whose document ${name} (400 invalid_client_metadata)`, async () => {
        const path = `/bad-${name.replaceAll(' ', '-')}.json`;
        if (body !== undefined) sectors.documents[path] = body;
        const res = await createClientRaw(server, {
          redirect_uris: [REDIRECT],
          subject_type: 'pairwise',
          sector_identifier_uri: sectors.url(path),
        });
        expectMetadataError(res);
        expect(res.body.error_description).to.match(hint);
      });
    }

    it('checks the sector document on update too (PUT and PATCH)', async () => {
      sectors.documents['/ok.json'] = JSON.stringify([REDIRECT]);
      const client = await webClient(server, { sector_identifier_uri: sectors.url('/ok.json') });
      const put = await call(server, 'setOAuth2Client', {
        params: { id: client.client_id },
        json: {
          redirect_uris: ['http://127.0.0.1:5555/elsewhere'],
          sector_identifier_uri: sectors.url('/ok.json'),
        },
      });
      expectMetadataError(put);
      const patch = await call(server, 'patchOAuth2Client', {
        params: { id: client.client_id },
        json: [{ op: 'replace', path: '/sector_identifier_uri', value: sectors.url('/missing.json') }],
      });
      expectMetadataError(patch);
    });

    it('refuses a pairwise client with redirect URIs on several hosts and no sector_identifier_uri (Hydra’s message)', async () => {
      const res = await createClientRaw(server, {
        client_id: 'two-hosts',
        subject_type: 'pairwise',
        redirect_uris: [REDIRECT, 'http://localhost:5555/cb'],
      });
      expectMetadataError(res);
      expect(res.body.error_description).to.include(
        'OAuth 2.0 Client two-hosts has multiple redirect_uris but no sector_identifier_uri was set which is not allowed when performing using subject type pairwise. Please reconfigure the OAuth 2.0 client properly.',
      );
    });

    it('offers no pairwise to a client whose access tokens are JWTs (Hydra’s rule)', async () => {
      const res = await createClientRaw(server, {
        subject_type: 'pairwise',
        redirect_uris: [REDIRECT],
        access_token_strategy: 'jwt',
      });
      expectMetadataError(res);
      expect(res.body.error_description).to.include(
        'Subject type pairwise is not supported by server, only [public] are allowed.',
      );
    });
  });

  describe('under the default configuration', () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer();
    });
    after(() => server?.close());

    it('discovery lists only public, and a pairwise client is refused with Hydra’s message', async () => {
      expect((await call(server, 'discoverOidcConfiguration')).body.subject_types_supported).to.deep.equal([
        'public',
      ]);
      const res = await createClientRaw(server, { subject_type: 'pairwise', redirect_uris: [REDIRECT] });
      expectMetadataError(res);
      expect(res.body.error_description).to.include(
        'Subject type pairwise is not supported by server, only [public] are allowed.',
      );
    });

    it('refuses a sector_identifier_uri on a loopback address (clients.http.disallow_private_ip_ranges)', async () => {
      sectors.documents['/loopback.json'] = JSON.stringify([REDIRECT]);
      const res = await createClientRaw(server, {
        redirect_uris: [REDIRECT],
        sector_identifier_uri: sectors.url('/loopback.json'),
      });
      expectMetadataError(res);
      expect(res.body.error_description).to.match(/private, loopback or link-local/);
    });
  });

  describe('with the JWT access token strategy', () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer({
        'strategies.access_token': 'jwt',
        'oidc.subject_identifiers.supported_types': 'public,pairwise',
        'oidc.subject_identifiers.pairwise.salt': SALT,
      });
    });
    after(() => server?.close());

    it('offers pairwise only to clients with opaque access tokens, and says so at startup', async () => {
      expect((await call(server, 'discoverOidcConfiguration')).body.subject_types_supported).to.deep.equal([
        'public',
      ]);
      expect(server.logs.join('\n')).to.include('pairwise subject identifiers are offered only to clients');
      const refused = await createClientRaw(server, { subject_type: 'pairwise', redirect_uris: [REDIRECT] });
      expectMetadataError(refused);
      const opaque = await createClientRaw(server, {
        subject_type: 'pairwise',
        redirect_uris: [REDIRECT],
        access_token_strategy: 'opaque',
      });
      expect(opaque.status, opaque.text).to.equal(201);
    });
  });

  describe('configuration', () => {
    const load = (overrides: Record<string, unknown>) =>
      loadConfig({
        env: {},
        dev: true,
        overrides: { 'secrets.system': ['a-test-system-secret-0123'], ...overrides },
      });

    it('refuses to start with pairwise and a salt under 8 characters, naming the key', () => {
      expect(() => load({ 'oidc.subject_identifiers.supported_types': ['pairwise'] }))
        .to.throw(ConfigError)
        .with.property('message')
        .that.matches(/oidc\.subject_identifiers\.pairwise\.salt: must be at least 8 characters/);
      expect(() =>
        load({
          'oidc.subject_identifiers.supported_types': ['pairwise'],
          'oidc.subject_identifiers.pairwise.salt': 'short',
        }),
      ).to.throw(ConfigError);
    });

    it('reads the environment names and refuses an unknown subject type', () => {
      const config = loadConfig({
        dev: true,
        env: {
          SECRETS_SYSTEM: 'a-test-system-secret-0123',
          OIDC_SUBJECT_IDENTIFIERS_SUPPORTED_TYPES: 'public,pairwise',
          OIDC_SUBJECT_IDENTIFIERS_PAIRWISE_SALT: SALT,
        },
      });
      expect(config.subjectIdentifiers).to.deep.equal({ supportedTypes: ['public', 'pairwise'], salt: SALT });
      expect(() => load({ 'oidc.subject_identifiers.supported_types': ['private'] })).to.throw(ConfigError);
    });
  });
});
