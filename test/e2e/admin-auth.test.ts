// Optional bearer-token authentication of the admin port: off by default (Hydra), and when configured every
// admin operation but the health checks needs one of the tokens; 401 with WWW-Authenticate: Bearer otherwise.
// A startup warning names an admin port reachable beyond loopback without it.
import { expect } from 'chai';
import { loadConfig } from '../../server/config.js';
import { call, raw } from '../helpers/api.js';
import { ccClient, tokenRequest } from '../helpers/oauth2.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const TOKEN_A = 'admin-token-aaaaaaaaaaaaaaaa';
const TOKEN_B = 'admin-token-bbbbbbbbbbbbbbbb';

describe('admin API bearer authentication', function () {
  this.timeout(60_000);

  describe('with serve.admin.auth.tokens set', () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer({ 'serve.admin.auth.tokens': [TOKEN_A, TOKEN_B] });
    });
    after(() => server?.close());

    const get = (path: string, authorization?: string) =>
      raw(server.adminUrl, path, { headers: authorization ? { authorization } : {} });

    it('refuses every admin operation without a token: 401, WWW-Authenticate: Bearer, an error body', async () => {
      for (const op of ['listOAuth2Clients', 'getVersion', 'getPrometheusMetrics', 'introspectOAuth2Token']) {
        const res = await call(server, op, {
          headers: { authorization: '' },
          ...(op === 'introspectOAuth2Token' ? { form: { token: 'x' } } : {}),
        });
        expect(res.status, op).to.equal(401);
        expect(res.headers.get('www-authenticate')).to.equal('Bearer realm="tollgate-admin"');
        expect(res.body).to.have.keys('error', 'error_description');
      }
      // The unprefixed alias is guarded too, and so is an unknown admin path (no route probing).
      expect((await get('/clients')).status).to.equal(401);
      expect((await get('/admin/nothing-here')).status).to.equal(401);
    });

    it('refuses a wrong token, a Basic header and a token with a suffix', async () => {
      for (const authorization of [
        'Bearer wrong-token-cccccccccccc',
        `Basic ${Buffer.from(`${TOKEN_A}:`).toString('base64')}`,
        `Bearer ${TOKEN_A}x`,
        `Bearer ${TOKEN_A.slice(0, -1)}`,
      ]) {
        const res = await get('/admin/clients', authorization);
        expect(res.status, authorization).to.equal(401);
      }
      const wrong = await get('/admin/clients', 'Bearer wrong-token-cccccccccccc');
      expect(wrong.headers.get('www-authenticate')).to.equal(
        'Bearer realm="tollgate-admin", error="invalid_token"',
      );
    });

    it('accepts any configured token, and no WWW-Authenticate then', async () => {
      for (const token of [TOKEN_A, TOKEN_B]) {
        const res = await call(server, 'listOAuth2Clients', {
          headers: { authorization: `Bearer ${token}` },
        });
        expect(res.status).to.equal(200);
        expect(res.headers.get('www-authenticate')).to.equal(null);
      }
      const client = await ccClient(server);
      expect(client.client_id).to.be.a('string');
    });

    it('leaves the health checks open on both prefixes and the public port alone', async () => {
      for (const path of ['/health/alive', '/health/ready', '/admin/health/alive', '/admin/health/ready']) {
        expect((await get(path)).status, path).to.equal(200);
      }
      const client = await ccClient(server);
      const token = await tokenRequest(
        server,
        { grant_type: 'client_credentials' },
        { id: client.client_id, secret: 'a-client-secret-0123456789' },
      );
      expect(token.status).to.equal(200);
    });

    it('never writes the admin token to the log', () => {
      for (const line of server.logs) {
        expect(line.includes(TOKEN_A)).to.equal(false);
        expect(line.includes(TOKEN_B)).to.equal(false);
      }
    });
  });

  describe('defaults', () => {
    it('is off by default', async () => {
      const server = await startTestServer();
      try {
        expect((await raw(server.adminUrl, '/admin/clients')).status).to.equal(200);
      } finally {
        await server.close();
      }
    });

    it('refuses tokens shorter than 16 characters at startup', () => {
      expect(() =>
        loadConfig({ env: { SERVE_ADMIN_AUTH_TOKENS: 'short,also-a-long-enough-token' }, dev: true }),
      ).to.throw(/serve.admin.auth.tokens: entry 0 must be at least 16 characters/);
      const config = loadConfig({ env: { SERVE_ADMIN_AUTH_TOKENS: `${TOKEN_A},${TOKEN_B}` }, dev: true });
      expect(config.protection.adminTokens).to.deep.equal([TOKEN_A, TOKEN_B]);
    });

    const warning = /admin API listens beyond loopback without authentication/;

    it('warns at startup when the admin port listens beyond loopback without tokens', async () => {
      const open = await startTestServer({ 'serve.admin.host': '0.0.0.0' });
      await open.close();
      expect(open.logs.some((l) => warning.test(l) && l.includes('"level":"warning"'))).to.equal(true);

      const guarded = await startTestServer({
        'serve.admin.host': '0.0.0.0',
        'serve.admin.auth.tokens': [TOKEN_A],
      });
      await guarded.close();
      expect(guarded.logs.some((l) => warning.test(l))).to.equal(false);

      const loopback = await startTestServer();
      await loopback.close();
      expect(loopback.logs.some((l) => warning.test(l))).to.equal(false);
    });
  });
});
