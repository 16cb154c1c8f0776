// grant_type=refresh_token over HTTP against PostgreSQL: strict rotation (reuse revokes the grant), graceful
// rotation (a fork within the period and the reuse count, deleting only the paired access token), 403
// scope_not_granted, a narrowed client, and the ID token's claims kept across refreshes.
import { expect } from 'chai';
import { parsePostgresDsn } from '../../server/storage/dsn.js';
import { createKnex } from '../../server/storage/knex.js';
import { call } from '../helpers/api.js';
import { exchangeCode, FlowDriver, randomState, webClient } from '../helpers/flow-driver.js';
import { basicHeader, type CreatedClient, expectOAuth2Error, introspect } from '../helpers/oauth2.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const REDIRECT = 'http://127.0.0.1:5555/cb';
const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8'));

async function startWith(rotation: { period: string; count: number }) {
  return startTestServer({
    'urls.login': 'http://127.0.0.1:9/login',
    'urls.consent': 'http://127.0.0.1:9/consent',
    'oauth2.grant.refresh_token.rotation_grace_period': rotation.period,
    'oauth2.grant.refresh_token.rotation_grace_reuse_count': rotation.count,
  });
}

/** Login, consent and code exchange for `client`; the token response. */
async function tokensFor(
  server: TestServer,
  client: CreatedClient,
  scope = 'openid offline_access',
  extra: { query?: Record<string, string>; login?: Record<string, unknown> } = {},
) {
  const driver = new FlowDriver(server);
  const { params } = await driver.login(
    {
      client_id: client.client_id,
      response_type: 'code',
      redirect_uri: REDIRECT,
      scope,
      state: randomState(),
      nonce: 'nonce-0123456789',
      ...extra.query,
    },
    {
      subject: 'alice@example.com',
      login: extra.login ?? { acr: 'urn:acr:pwd', amr: ['pwd'] },
      consent: { session: { access_token: {}, id_token: { email: 'alice@example.com' } } },
    },
  );
  const res = await exchangeCode(server, client, { code: params.get('code')!, redirect_uri: REDIRECT });
  expect(res.status, res.text).to.equal(200);
  return res.body as Record<string, string>;
}

function refresh(server: TestServer, client: CreatedClient, refreshToken: string) {
  return call(server, 'oauth2TokenExchange', {
    form: { grant_type: 'refresh_token', refresh_token: refreshToken },
    headers: { authorization: basicHeader(client.client_id, client.client_secret!) },
  });
}

describe('refresh_token grant, end to end', () => {
  describe('strict rotation (rotation_grace_period 0s)', () => {
    let server: TestServer;
    let web: CreatedClient;
    before(async () => {
      server = await startWith({ period: '0s', count: 0 });
      web = await webClient(server);
    });
    after(() => server?.close());

    it('rotates, keeping the ID token’s auth_time, sid, acr, amr, nonce and extras', async () => {
      const first = await tokensFor(server, web);
      const second = await refresh(server, web, first.refresh_token!);
      expect(second.status, second.text).to.equal(200);
      expect(second.body.refresh_token)
        .to.match(/^ory_rt_/)
        .and.not.equal(first.refresh_token);
      // Strict rotation deletes the grant's earlier access tokens.
      expect(await introspect(server, first.access_token!)).to.deep.equal({ active: false });
      expect(await introspect(server, second.body.access_token)).to.include({ active: true });
      const before = claimsOf(first.id_token!);
      const after = claimsOf(second.body.id_token);
      for (const claim of ['auth_time', 'sid', 'acr', 'nonce', 'email', 'rat', 'sub']) {
        expect(after[claim], claim).to.deep.equal(before[claim]);
      }
      expect(after.amr).to.deep.equal(['pwd']);
      expect(after.jti).to.not.equal(before.jti);
    });

    it('acr "0" for acr_values without an acr from the login, on the code exchange only (as fosite)', async () => {
      const first = await tokensFor(server, web, undefined, {
        query: { acr_values: 'urn:acr:mfa' },
        login: {},
      });
      expect(claimsOf(first.id_token!).acr).to.equal('0');
      const second = await refresh(server, web, first.refresh_token!);
      expect(second.status, second.text).to.equal(200);
      expect(claimsOf(second.body.id_token)).to.not.have.property('acr');
    });

    it('a reused refresh token revokes the whole grant', async () => {
      const first = await tokensFor(server, web);
      const second = await refresh(server, web, first.refresh_token!);
      expect(second.status).to.equal(200);
      const reuse = await refresh(server, web, first.refresh_token!);
      expectOAuth2Error(reuse, 400, 'invalid_grant');
      expect(reuse.body.error_description).to.contain('The refresh token was already used.');
      expect(await introspect(server, second.body.access_token)).to.deep.equal({ active: false });
      expectOAuth2Error(await refresh(server, web, second.body.refresh_token), 400, 'invalid_grant');
    });

    it('refuses a grant narrowed since: the client lost a granted scope', async () => {
      const client = await webClient(server);
      const first = await tokensFor(server, client, 'openid offline_access profile');
      const patched = await call(server, 'patchOAuth2Client', {
        params: { id: client.client_id },
        json: [{ op: 'replace', path: '/scope', value: 'openid offline_access' }],
      });
      expect(patched.status, patched.text).to.equal(200);
      const res = await refresh(server, client, first.refresh_token!);
      expectOAuth2Error(res, 400, 'invalid_scope');
      expect(res.body.error_description).to.contain("scope 'profile'");
    });

    it('403 scope_not_granted for a grant without offline scopes', async () => {
      const first = await tokensFor(server, web);
      // No request can produce such a grant (refresh tokens need offline), so the row is narrowed in place.
      const knex = createKnex(parsePostgresDsn(server.dsn, 1));
      try {
        await knex('oauth2_refresh_tokens').update({ granted_scope: ['openid'] });
      } finally {
        await knex.destroy();
      }
      expectOAuth2Error(await refresh(server, web, first.refresh_token!), 403, 'scope_not_granted');
    });
  });

  describe('graceful rotation (60s, 3 uses)', () => {
    let server: TestServer;
    let web: CreatedClient;
    before(async () => {
      server = await startWith({ period: '60s', count: 3 });
      web = await webClient(server);
    });
    after(() => server?.close());

    it('a retry within the period forks the chain and deletes only the paired access token', async () => {
      const first = await tokensFor(server, web);
      const a = await refresh(server, web, first.refresh_token!);
      const b = await refresh(server, web, first.refresh_token!);
      expect([a.status, b.status]).to.deep.equal([200, 200]);
      expect(await introspect(server, first.access_token!)).to.deep.equal({ active: false });
      expect(await introspect(server, a.body.access_token)).to.include({ active: true });
      expect(await introspect(server, b.body.access_token)).to.include({ active: true });
      expect((await refresh(server, web, a.body.refresh_token)).status).to.equal(200);
    });

    it('past the reuse count the token is a reuse, and the grant is revoked', async () => {
      const first = await tokensFor(server, web);
      let last: Record<string, string> = {};
      for (let i = 0; i < 3; i++) {
        const res = await refresh(server, web, first.refresh_token!);
        expect(res.status, res.text).to.equal(200);
        last = res.body;
      }
      expectOAuth2Error(await refresh(server, web, first.refresh_token!), 400, 'invalid_grant');
      expect(await introspect(server, last.access_token!)).to.deep.equal({ active: false });
    });
  });

  describe('graceful rotation longer than a day (48h, 3 uses)', () => {
    let server: TestServer;
    let web: CreatedClient;
    before(async () => {
      server = await startWith({ period: '48h', count: 3 });
      web = await webClient(server);
    });
    after(() => server?.close());

    it('a rotated token still works 25 hours after its first use, inside the period', async () => {
      const first = await tokensFor(server, web);
      expect((await refresh(server, web, first.refresh_token!)).status).to.equal(200);
      // 25 hours pass for the rotated token: every timestamp of its row moves back by that much.
      const knex = createKnex(parsePostgresDsn(server.dsn, 1));
      try {
        await knex('oauth2_refresh_tokens')
          .where({ active: false })
          .update({
            requested_at: knex.raw("requested_at - interval '25 hours'"),
            first_used_at: knex.raw("first_used_at - interval '25 hours'"),
            expires_at: knex.raw("expires_at - interval '25 hours'"),
          });
      } finally {
        await knex.destroy();
      }
      const retry = await refresh(server, web, first.refresh_token!);
      expect(retry.status, retry.text).to.equal(200);
    });
  });
});
