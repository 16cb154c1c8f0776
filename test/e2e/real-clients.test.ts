// Real third-party clients against Tollgate's defaults, as a user would wire them: Auth0's
// express-oauth2-jwt-bearer checks JWT access tokens in an Express resource server (RFC 9068 `scope`), and
// @badgateway/oauth2-client obtains a token with nothing but the server's URL (RFC 8414 discovery).
import type { AddressInfo } from 'node:net';
import { OAuth2Client } from '@badgateway/oauth2-client';
import { expect } from 'chai';
import express from 'express';
import { auth, requiredScopes } from 'express-oauth2-jwt-bearer';
import { call } from '../helpers/api.js';
import { type CreatedClient, ccClient, introspect, issueToken } from '../helpers/oauth2.js';
import { freePort } from '../helpers/restartable-postgres.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const AUDIENCE = 'https://api.example';
type AuthOptions = Parameters<typeof auth>[0];
const jwtPart = (token: string, i: 0 | 1) =>
  JSON.parse(Buffer.from(token.split('.')[i]!, 'base64url').toString());

/** An Express API on 127.0.0.1 whose GET /invoices needs a valid token with scope `read`. */
async function resourceServer(options: AuthOptions) {
  const app = express();
  app.get('/invoices', auth(options), requiredScopes('read'), (_req, res) => {
    res.json({ invoices: [] });
  });
  app.use(
    (err: { status?: number; message: string }, _req: unknown, res: express.Response, _next: unknown) => {
      res.status(err.status ?? 500).json({ message: err.message });
    },
  );
  const http = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => http.once('listening', resolve));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/invoices`;
  return {
    get: async (token: string) => {
      const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    },
    close: () => new Promise((resolve) => http.close(resolve)),
  };
}

/** A server whose issuer is its real public URL, so discovery (which derives every endpoint from it) works. */
async function serverWithRealIssuer(overrides: Record<string, unknown> = {}): Promise<TestServer> {
  const port = await freePort();
  return startTestServer({
    'serve.public.port': port,
    'urls.self.issuer': `http://127.0.0.1:${port}/`,
    'strategies.access_token': 'jwt',
    ...overrides,
  });
}

/**
 * The first read of /.well-known/jwks.json generates the published sets' missing keys (RSA-4096 takes seconds),
 * longer than express-oauth2-jwt-bearer waits for the JWKS (5 s); a deployed server has them already.
 */
async function publishKeys(server: TestServer) {
  const res = await call(server, 'discoverJsonWebKeys');
  expect(res.status, res.text).to.equal(200);
}

describe('real clients: express-oauth2-jwt-bearer (Auth0) checks JWT access tokens', function () {
  // Tollgate generates the RS256 (RSA-4096) signing key on the first JWT.
  this.timeout(120_000);
  let server: TestServer;
  let client: CreatedClient;
  let api: Awaited<ReturnType<typeof resourceServer>>;
  const tokenWith = (scope: string) => issueToken(server, client, { scope, audience: AUDIENCE });

  before(async () => {
    server = await serverWithRealIssuer();
    client = await ccClient(server, { scope: 'read write', audience: [AUDIENCE] });
    await publishKeys(server);
    api = await resourceServer({
      jwksUri: `${server.publicUrl}/.well-known/jwks.json`,
      issuer: server.config.issuer,
      audience: AUDIENCE,
    });
  });
  after(async () => {
    await api?.close();
    await server?.close();
  });

  it('requiredScopes("read"): a token with scope read → 200', async () => {
    const res = await api.get(await tokenWith('read'));
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body).to.deep.equal({ invoices: [] });
  });

  it('requiredScopes("read"): a token without scope read → 403 insufficient scope', async () => {
    const res = await api.get(await tokenWith('write'));
    expect(res.status, JSON.stringify(res.body)).to.equal(403);
    expect(res.body.message).to.equal('Insufficient Scope');
  });

  it('also works configured by issuerBaseURL alone (discovery), with the default RS256 key', async () => {
    const discovered = await resourceServer({ issuerBaseURL: server.config.issuer, audience: AUDIENCE });
    try {
      expect((await discovered.get(await tokenWith('read'))).status).to.equal(200);
      expect((await discovered.get(await tokenWith('write'))).status).to.equal(403);
    } finally {
      await discovered.close();
    }
  });

  it('the token keeps Hydra’s `scp` beside `scope`, and introspection is unchanged', async () => {
    const token = await tokenWith('read write');
    const payload = jwtPart(token, 1);
    expect(payload).to.include({ scope: 'read write' });
    expect(payload.scp).to.deep.equal(['read', 'write']);
    const info = await introspect(server, token);
    expect(info).to.include({ active: true, scope: 'read write' });
    expect(info).not.to.have.any.keys('scp');
  });
});

describe('real clients: express-oauth2-jwt-bearer with an ES256 access-token key', function () {
  this.timeout(60_000);
  let server: TestServer;
  let token: string;

  before(async () => {
    server = await serverWithRealIssuer();
    // Created before any JWT is issued, so it is the only (and newest) key of the set: it signs.
    const created = await call(server, 'createJsonWebKeySet', {
      params: { set: 'hydra.jwt.access-token' },
      json: { alg: 'ES256', use: 'sig', kid: 'es-1' },
    });
    expect(created.status, created.text).to.equal(201);
    await publishKeys(server);
    const client = await ccClient(server, { scope: 'read', audience: [AUDIENCE] });
    token = await issueToken(server, client, { scope: 'read', audience: AUDIENCE });
    expect(jwtPart(token, 0)).to.include({ alg: 'ES256' });
  });
  after(() => server?.close());

  it('is accepted with jwksUri + issuer', async () => {
    const api = await resourceServer({
      jwksUri: `${server.publicUrl}/.well-known/jwks.json`,
      issuer: server.config.issuer,
      audience: AUDIENCE,
    });
    try {
      const res = await api.get(token);
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
    } finally {
      await api.close();
    }
  });

  it('is refused with issuerBaseURL, which allows only id_token_signing_alg_values_supported (RS256)', async () => {
    const api = await resourceServer({ issuerBaseURL: server.config.issuer, audience: AUDIENCE });
    try {
      const res = await api.get(token);
      expect(res.status, JSON.stringify(res.body)).to.equal(401);
      expect(res.body.message).to.equal("Unexpected 'alg' value");
    } finally {
      await api.close();
    }
  });
});

describe('real clients: @badgateway/oauth2-client with discovery and no authentication method set', function () {
  this.timeout(60_000);
  let server: TestServer;

  before(async () => {
    server = await serverWithRealIssuer({ 'strategies.access_token': 'opaque' });
  });
  after(() => server?.close());

  it('clientCredentials() obtains a token for a client registered with the default client_secret_basic', async () => {
    const client = await ccClient(server, { scope: 'read' });
    expect(client.token_endpoint_auth_method).to.equal('client_secret_basic');
    const oauth2 = new OAuth2Client({
      server: server.config.issuer,
      clientId: client.client_id,
      clientSecret: client.client_secret!,
    });
    const token = await oauth2.clientCredentials({ scope: ['read'] });
    expect(token.accessToken).to.match(/^ory_at_/);
    expect(await introspect(server, token.accessToken)).to.include({
      active: true,
      client_id: client.client_id,
      scope: 'read',
    });
  });
});
