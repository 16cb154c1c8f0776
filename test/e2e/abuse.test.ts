// Abuse protections against a real server: token-bucket rate limits (per client, per address, 429 with
// Retry-After and an RFC 6749-style body), the failed-authentication lockout of one client id that leaves
// other clients alone, and the off switch.
import { expect } from 'chai';
import { type ApiResponse, call, raw } from '../helpers/api.js';
import { ccClient, tokenRequest } from '../helpers/oauth2.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const SECRET = 'a-client-secret-0123456789';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function expect429(res: ApiResponse, what: RegExp) {
  expect(res.status, res.text).to.equal(429);
  expect(res.body.error).to.equal('temporarily_unavailable');
  expect(res.body.error_description).to.match(what);
  const retryAfter = Number(res.headers.get('retry-after'));
  expect(retryAfter).to.be.at.least(1);
  expect(res.headers.get('cache-control')).to.equal('no-store');
  return retryAfter;
}

describe('abuse protection', function () {
  this.timeout(120_000);

  describe('per-client rate limit', () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer({ 'rate_limit.per_client.rate': 1, 'rate_limit.per_client.burst': 3 });
    });
    after(() => server?.close());

    it('answers 429 with Retry-After once a client exceeds its bucket, and only that client', async () => {
      const a = await ccClient(server);
      const b = await ccClient(server);
      const grant = { grant_type: 'client_credentials' };
      for (let i = 0; i < 3; i++) {
        expect((await tokenRequest(server, grant, { id: a.client_id, secret: SECRET })).status).to.equal(200);
      }
      const refused = await tokenRequest(server, grant, { id: a.client_id, secret: SECRET });
      const retryAfter = expect429(refused, /rate limit for this client/);
      // The same address, another client: unaffected.
      expect((await tokenRequest(server, grant, { id: b.client_id, secret: SECRET })).status).to.equal(200);
      // Revocation draws on the same client bucket (form credentials count as the client too).
      const revoke = await call(server, 'revokeOAuth2Token', {
        form: { token: 'x', client_id: a.client_id, client_secret: SECRET },
      });
      expect(revoke.status).to.equal(429);
      await sleep(retryAfter * 1000);
      expect((await tokenRequest(server, grant, { id: a.client_id, secret: SECRET })).status).to.equal(200);
    });

    it('limits introspection per calling credential (Basic user or bearer token), not across callers', async () => {
      const introspect = (authorization?: string) =>
        call(server, 'introspectOAuth2Token', {
          form: { token: 'x' },
          headers: authorization ? { authorization } : {},
        });
      const statuses = async (authorization?: string) => {
        const out: number[] = [];
        for (let i = 0; i < 4; i++) out.push((await introspect(authorization)).status);
        return out;
      };
      expect(await statuses('Bearer resource-server-one-token')).to.deep.equal([200, 200, 200, 429]);
      expect(await statuses(`Basic ${Buffer.from('rs-two:pw').toString('base64')}`)).to.deep.equal([
        200, 200, 200, 429,
      ]);
      // Another bearer token, and a caller without credentials (per-address only, which is off here).
      expect(await statuses('Bearer resource-server-three-token')).to.deep.equal([200, 200, 200, 429]);
      expect(await statuses()).to.deep.equal([200, 200, 200, 200]);
    });
  });

  describe('per-address rate limit', () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer({ 'rate_limit.per_address.rate': 1, 'rate_limit.per_address.burst': 5 });
    });
    after(() => server?.close());

    it('limits introspection and the token endpoint from one address, but no other operation', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 7; i++) {
        statuses.push((await call(server, 'introspectOAuth2Token', { form: { token: 'nope' } })).status);
      }
      expect(statuses.slice(0, 5)).to.deep.equal([200, 200, 200, 200, 200]);
      expect(statuses.slice(5)).to.deep.equal([429, 429]);
      const res = await call(server, 'introspectOAuth2Token', { form: { token: 'nope' } });
      expect429(res, /rate limit for this address/);
      expect429(await tokenRequest(server, { grant_type: 'client_credentials' }), /this address/);
      // A trailing slash reaches the same route, and the same limit.
      const slash = await raw(server.publicUrl, '/oauth2/token/', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials',
      });
      expect(slash.status).to.equal(429);
      // Admin reads and discovery are not limited.
      for (let i = 0; i < 10; i++) expect((await call(server, 'listOAuth2Clients')).status).to.equal(200);
    });
  });

  describe('failed-authentication lockout', () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer({
        'rate_limit.lockout.threshold': 4,
        'rate_limit.lockout.duration': '2s',
        'rate_limit.lockout.delay': '100ms',
      });
    });
    after(() => server?.close());

    it('slows down failures, then refuses that client id even with the right secret, and nobody else', async () => {
      const victim = await ccClient(server);
      const other = await ccClient(server);
      const grant = { grant_type: 'client_credentials' };
      const timings: number[] = [];
      for (let i = 0; i < 4; i++) {
        const started = Date.now();
        const res = await tokenRequest(server, grant, { id: victim.client_id, secret: `wrong-${i}` });
        timings.push(Date.now() - started);
        expect(res.status).to.equal(401);
        expect(res.body.error).to.equal('invalid_client');
      }
      // Each failure is held back 100 ms more than the one before.
      expect(timings[0]).to.be.at.least(90);
      expect(timings[2]).to.be.at.least(290);
      expect(timings[3]).to.be.at.least(390);

      // Locked out: the right secret is refused too, without a hint that it was right.
      const locked = await tokenRequest(server, grant, { id: victim.client_id, secret: SECRET });
      expect429(locked, /locked out/);
      const lockedPost = await tokenRequest(server, {
        ...grant,
        client_id: victim.client_id,
        client_secret: SECRET,
      });
      expect(lockedPost.status).to.equal(429);

      // Another client, from the same address, is untouched; so is an unknown client id's answer.
      expect((await tokenRequest(server, grant, { id: other.client_id, secret: SECRET })).status).to.equal(
        200,
      );
      expect((await tokenRequest(server, grant, { id: 'nobody', secret: 'x' })).status).to.equal(401);

      const lockouts = server.logs
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .filter((l) => l.audit === true && l.event === 'client.locked_out');
      expect(lockouts.map((l) => l.client_id)).to.deep.equal([victim.client_id]);

      await sleep(2100);
      expect((await tokenRequest(server, grant, { id: victim.client_id, secret: SECRET })).status).to.equal(
        200,
      );
    });

    it('resets the count after a success', async () => {
      const client = await ccClient(server);
      const grant = { grant_type: 'client_credentials' };
      for (let round = 0; round < 3; round++) {
        for (let i = 0; i < 3; i++) {
          expect(
            (await tokenRequest(server, grant, { id: client.client_id, secret: 'bad' })).status,
          ).to.equal(401);
        }
        expect((await tokenRequest(server, grant, { id: client.client_id, secret: SECRET })).status).to.equal(
          200,
        );
      }
    });

    it('locks out revocation with the same counter', async () => {
      const client = await ccClient(server);
      for (let i = 0; i < 4; i++) {
        const res = await call(server, 'revokeOAuth2Token', {
          form: { token: 't' },
          basic: [client.client_id, 'bad'],
        });
        expect(res.status).to.equal(401);
      }
      const res = await call(server, 'revokeOAuth2Token', {
        form: { token: 't' },
        basic: [client.client_id, SECRET],
      });
      expect429(res, /locked out/);
    });
  });

  describe('rate_limit.enabled: false', () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer({
        'rate_limit.enabled': 'false',
        'rate_limit.per_client.rate': 1,
        'rate_limit.per_client.burst': 1,
        'rate_limit.per_address.rate': 1,
        'rate_limit.per_address.burst': 1,
        'rate_limit.lockout.threshold': 2,
        'rate_limit.lockout.delay': '0s',
      });
    });
    after(() => server?.close());

    it('turns every limit and the lockout off', async () => {
      const client = await ccClient(server);
      const grant = { grant_type: 'client_credentials' };
      for (let i = 0; i < 5; i++) {
        expect((await tokenRequest(server, grant, { id: client.client_id, secret: 'bad' })).status).to.equal(
          401,
        );
      }
      for (let i = 0; i < 5; i++) {
        expect((await tokenRequest(server, grant, { id: client.client_id, secret: SECRET })).status).to.equal(
          200,
        );
      }
    });
  });

  describe('defaults', () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer();
    });
    after(() => server?.close());

    it('let 64 concurrent token requests of one client from one address through', async () => {
      const client = await ccClient(server);
      const results = await Promise.all(
        Array.from({ length: 64 }, () =>
          tokenRequest(
            server,
            { grant_type: 'client_credentials' },
            { id: client.client_id, secret: SECRET },
          ),
        ),
      );
      expect(results.map((r) => r.status).filter((s) => s !== 200)).to.deep.equal([]);
    });
  });
});
