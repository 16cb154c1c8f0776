// Stateless JWT access tokens (issue 5): no row per token, yet revocation of one token (RFC 7009) and of all of a
// client's tokens (DELETE /admin/oauth2/tokens) holds, the latter in O(1) through a per-client not-before.
import { expect } from 'chai';
import pg from 'pg';
import { call } from '../helpers/api.js';
import { type CreatedClient, ccClient, introspect, issueToken, sleep } from '../helpers/oauth2.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

async function tokenRows(server: TestServer, clientId: string): Promise<number> {
  const db = new pg.Client({ connectionString: server.dsn });
  await db.connect();
  try {
    const { rows } = await db.query(
      'SELECT count(*)::int AS n FROM oauth2_access_tokens WHERE client_id = $1',
      [clientId],
    );
    return rows[0].n;
  } finally {
    await db.end();
  }
}

const header = (token: string) => JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString());
const revoke = (server: TestServer, client: CreatedClient, token: string) =>
  call(server, 'revokeOAuth2Token', { form: { token }, basic: [client.client_id, client.client_secret!] });

describe('stateless JWT access tokens', () => {
  describe('server-wide (strategies.access_token=jwt, strategies.jwt.stateless=true)', () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer({
        'strategies.access_token': 'jwt',
        'strategies.jwt.stateless': 'true',
      });
    });
    after(() => server.close());

    it('issues JWTs that introspect active without storing a row', async () => {
      const client = await ccClient(server, { scope: 'api' });
      const token = await issueToken(server, client, { scope: 'api' });
      expect(token.split('.')).to.have.length(3);
      expect(header(token)).to.include({ typ: 'at+jwt', tollgate: 'stateless' });
      expect(await tokenRows(server, client.client_id)).to.equal(0);
      const active = await introspect(server, token);
      expect(active).to.include({
        active: true,
        client_id: client.client_id,
        scope: 'api',
        token_use: 'access_token',
      });
      expect(await introspect(server, token, { scope: 'other' })).to.deep.equal({ active: false });
    });

    it('revokes one token (RFC 7009) and leaves the others active', async () => {
      const client = await ccClient(server);
      const [a, b] = [await issueToken(server, client), await issueToken(server, client)];
      expect((await revoke(server, client, a)).status).to.equal(200);
      expect(await introspect(server, a)).to.deep.equal({ active: false });
      expect(await introspect(server, b)).to.include({ active: true });
    });

    it("a client cannot revoke another client's stateless token", async () => {
      const owner = await ccClient(server);
      const other = await ccClient(server);
      const token = await issueToken(server, owner);
      expect((await revoke(server, other, token)).status).to.equal(200);
      expect(await introspect(server, token)).to.include({ active: true });
    });

    it('DELETE /admin/oauth2/tokens revokes every earlier token of the client only; later ones are active', async () => {
      const client = await ccClient(server);
      const bystander = await ccClient(server);
      const tokens = [await issueToken(server, client), await issueToken(server, client)];
      const kept = await issueToken(server, bystander);
      const res = await call(server, 'deleteOAuth2Token', { query: { client_id: client.client_id } });
      expect(res.status).to.equal(204);
      for (const token of tokens) expect(await introspect(server, token)).to.deep.equal({ active: false });
      expect(await introspect(server, kept)).to.include({ active: true });
      // iat has whole seconds: a token of the next second is after the revocation.
      await sleep(1100);
      expect(await introspect(server, await issueToken(server, client))).to.include({ active: true });
    });

    it("a deleted client's stateless tokens are inactive", async () => {
      const client = await ccClient(server);
      const token = await issueToken(server, client);
      expect(
        (await call(server, 'deleteOAuth2Client', { params: { id: client.client_id } })).status,
      ).to.equal(204);
      expect(await introspect(server, token)).to.deep.equal({ active: false });
    });

    it('a new client with the id of a deleted one revives none of its tokens, even within one second', async () => {
      const id = `sl-${Date.now()}`;
      const first = await ccClient(server, { client_id: id, owner: 'alice' });
      const revoked = await issueToken(server, first);
      expect((await call(server, 'deleteOAuth2Token', { query: { client_id: id } })).status).to.equal(204);
      // Then from a second boundary, so that the rest (a live token, deletion, re-creation, a new token) shares
      // one `iat` second: only the creation time the token carries tells the two clients apart.
      await sleep(1000 - (Date.now() % 1000));
      const live = await issueToken(server, first);
      expect(await introspect(server, live)).to.include({ active: true });
      expect((await call(server, 'deleteOAuth2Client', { params: { id } })).status).to.equal(204);

      const second = await ccClient(server, {
        client_id: id,
        owner: 'mallory',
        client_secret: 'another-client-secret-9876543210',
      });
      expect(await introspect(server, live)).to.deep.equal({ active: false });
      expect(await introspect(server, revoked)).to.deep.equal({ active: false });
      // The new client's own token, issued in the second it was created, is active.
      const fresh = await issueToken(server, second);
      expect(await introspect(server, fresh)).to.include({ active: true, client_id: id });
      expect(await introspect(server, live)).to.deep.equal({ active: false });
    });

    it('a client can keep durable JWTs with metadata {"tollgate": {"stateless": false}}', async () => {
      const client = await ccClient(server, { metadata: { tollgate: { stateless: false } } });
      const token = await issueToken(server, client);
      expect(header(token)).to.not.have.property('tollgate');
      expect(await tokenRows(server, client.client_id)).to.equal(1);
      expect(await introspect(server, token)).to.include({ active: true });
      await revoke(server, client, token);
      expect(await tokenRows(server, client.client_id)).to.equal(0);
      expect(await introspect(server, token)).to.deep.equal({ active: false });
    });
  });

  describe('per client on a durable server', () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer();
    });
    after(() => server.close());

    it('metadata {"tollgate": {"stateless": true}} with access_token_strategy jwt stores no row', async () => {
      const client = await ccClient(server, {
        access_token_strategy: 'jwt',
        metadata: { tollgate: { stateless: true } },
      });
      const token = await issueToken(server, client);
      expect(await tokenRows(server, client.client_id)).to.equal(0);
      expect(await introspect(server, token)).to.include({ active: true });
    });

    it('opaque tokens stay durable whatever the metadata says', async () => {
      const client = await ccClient(server, { metadata: { tollgate: { stateless: true } } });
      const token = await issueToken(server, client);
      expect(token.startsWith('ory_at_')).to.equal(true);
      expect(await tokenRows(server, client.client_id)).to.equal(1);
    });
  });
});
