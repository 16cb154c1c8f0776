// The failed-authentication lockout counts per (client id, source address) (issue 15, findings 4 and 5; the
// model is in docs/lockout.md): a guesser locks out its own address, never the client's owner elsewhere; the
// source address is read from X-Forwarded-For only behind a configured trusted proxy; and a flood of distinct
// client ids cannot evict a lock, the full table refusing new pairs instead.
import { request } from 'node:http';
import { expect } from 'chai';
import { call } from '../helpers/api.js';
import { basicHeader, ccClient } from '../helpers/oauth2.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const SECRET = 'a-client-secret-0123456789';

interface Answer {
  status: number;
  body: Record<string, unknown>;
  retryAfter: string | undefined;
}

/** POST to the public port from a chosen local address (any of 127.0.0.0/8 works on Linux), with extra headers. */
function post(
  server: TestServer,
  path: string,
  form: Record<string, string>,
  options: { from?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const url = new URL(path, server.publicUrl);
  const body = new URLSearchParams(form).toString();
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        localAddress: options.from,
        agent: false,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': Buffer.byteLength(body),
          ...options.headers,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          text += chunk;
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: text === '' ? {} : JSON.parse(text),
            retryAfter: res.headers['retry-after'],
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const tokenFrom = (server: TestServer, id: string, secret: string, options: Parameters<typeof post>[3]) =>
  post(
    server,
    '/oauth2/token',
    { grant_type: 'client_credentials' },
    {
      ...options,
      headers: { authorization: basicHeader(id, secret), ...options?.headers },
    },
  );

const revokeFrom = (server: TestServer, id: string, secret: string, options: Parameters<typeof post>[3]) =>
  post(
    server,
    '/oauth2/revoke',
    { token: 'some-token' },
    {
      ...options,
      headers: { authorization: basicHeader(id, secret), ...options?.headers },
    },
  );

function expectLockedOut(answer: Answer) {
  expect(answer.status, JSON.stringify(answer.body)).to.equal(429);
  expect(answer.body.error).to.equal('temporarily_unavailable');
  expect(answer.body.error_description).to.match(/locked out/);
  expect(Number(answer.retryAfter)).to.be.at.least(1);
}

/** A server for the enclosing describe: ten failures lock a pair out for ten minutes, with almost no slow-down. */
function serverWith(overrides: Record<string, unknown> = {}): () => TestServer {
  let server: TestServer | undefined;
  before(async () => {
    server = await startTestServer({
      'rate_limit.lockout.threshold': 10,
      'rate_limit.lockout.duration': '10m',
      'rate_limit.lockout.delay': '1ms',
      ...overrides,
    });
  });
  after(() => server?.close());
  return () => server!;
}

describe('failed-authentication lockout per client and address (issue 15)', function () {
  this.timeout(120_000);

  describe('by TCP peer (no trusted proxy, the default)', () => {
    const running = serverWith();

    it('10 wrong secrets from A lock A out; the owner at B still gets tokens (token and revocation)', async () => {
      const server = running();
      const client = await ccClient(server);
      const A = { from: '127.0.0.2' };
      const B = { from: '127.0.0.3' };
      for (let i = 0; i < 10; i++) {
        expect((await tokenFrom(server, client.client_id, `wrong-${i}`, A)).status).to.equal(401);
      }
      expect((await tokenFrom(server, client.client_id, SECRET, B)).status, 'owner at B').to.equal(200);
      expect((await revokeFrom(server, client.client_id, SECRET, B)).status, 'owner at B').to.equal(200);
      expectLockedOut(await tokenFrom(server, client.client_id, SECRET, A));
      expectLockedOut(await revokeFrom(server, client.client_id, SECRET, A));

      // Revocation failures count for the pair too: B locks itself out through /oauth2/revoke.
      for (let i = 0; i < 10; i++) {
        expect((await revokeFrom(server, client.client_id, `wrong-${i}`, B)).status).to.equal(401);
      }
      expectLockedOut(await tokenFrom(server, client.client_id, SECRET, B));
      expect((await tokenFrom(server, client.client_id, SECRET, { from: '127.0.0.4' })).status).to.equal(200);

      const lockouts = server.logs
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .filter((l) => l.event === 'client.locked_out');
      expect(lockouts.map((l) => [l.client_id, l.address])).to.deep.equal([
        [client.client_id, '127.0.0.2'],
        [client.client_id, '127.0.0.3'],
      ]);
    });

    it('ignores X-Forwarded-For from a peer that is not a trusted proxy', async () => {
      const server = running();
      const client = await ccClient(server);
      const A = { from: '127.0.0.5' };
      for (let i = 0; i < 10; i++) {
        const spoofed = { ...A, headers: { 'x-forwarded-for': `198.51.100.${i}` } };
        expect((await tokenFrom(server, client.client_id, `wrong-${i}`, spoofed)).status).to.equal(401);
      }
      expectLockedOut(
        await tokenFrom(server, client.client_id, SECRET, {
          ...A,
          headers: { 'x-forwarded-for': '198.51.100.99' },
        }),
      );
    });
  });

  describe('behind a trusted proxy (serve.trusted_proxies: 127.0.0.1)', () => {
    const running = serverWith({ 'serve.trusted_proxies': ['127.0.0.1'] });

    it('counts the address the proxy forwarded for: A is locked out, B is not', async () => {
      const server = running();
      const client = await ccClient(server);
      const A = { headers: { 'x-forwarded-for': '203.0.113.10' } };
      const B = { headers: { 'x-forwarded-for': '203.0.113.20' } };
      for (let i = 0; i < 10; i++) {
        expect((await tokenFrom(server, client.client_id, `wrong-${i}`, A)).status).to.equal(401);
      }
      expect((await tokenFrom(server, client.client_id, SECRET, B)).status).to.equal(200);
      expectLockedOut(await tokenFrom(server, client.client_id, SECRET, A));
      // A guesser behind the proxy cannot pick another address by prepending one: the proxy appends the peer.
      const prepended = { headers: { 'x-forwarded-for': '203.0.113.77, 203.0.113.10' } };
      expectLockedOut(await tokenFrom(server, client.client_id, SECRET, prepended));
    });
  });

  describe('a full table (rate_limit.lockout.capacity: 5)', () => {
    const running = serverWith({ 'rate_limit.lockout.threshold': 3, 'rate_limit.lockout.capacity': 5 });

    it('keeps a lock through a flood of distinct client ids, and refuses new pairs with 429 meanwhile', async () => {
      const server = running();
      const victim = await ccClient(server);
      const other = await ccClient(server);
      const A = { from: '127.0.0.6' };
      for (let i = 0; i < 3; i++) {
        expect((await tokenFrom(server, victim.client_id, `wrong-${i}`, A)).status).to.equal(401);
      }
      expectLockedOut(await tokenFrom(server, victim.client_id, SECRET, A));

      const flood: number[] = [];
      for (let i = 0; i < 20; i++) flood.push((await tokenFrom(server, `flood-${i}`, 'x', A)).status);
      // Four more pairs fit beside the lock; then the table refuses new ones instead of evicting it.
      expect(flood.slice(0, 4)).to.deep.equal([401, 401, 401, 401]);
      expect(new Set(flood.slice(4))).to.deep.equal(new Set([429]));
      expectLockedOut(await tokenFrom(server, victim.client_id, SECRET, A));

      const refused = await tokenFrom(server, other.client_id, SECRET, A);
      expect(refused.status).to.equal(429);
      expect(refused.body.error).to.equal('temporarily_unavailable');
      expect(refused.body.error_description).to.match(/Too many clients are failing authentication/);
      expect(Number(refused.retryAfter)).to.be.above(500);
      // The same answer comes through the contract-checked client too.
      const checked = await call(server, 'oauth2TokenExchange', {
        form: { grant_type: 'client_credentials' },
        basic: [other.client_id, SECRET],
      });
      expect(checked.status).to.equal(429);
    });
  });
});
