// The jwks_uri cache (server/oauth2/client-jwks.ts) over a real HTTP server on 127.0.0.1 and the real
// SSRF-guarded fetch (private addresses allowed here), with a clock the test moves.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { createSafeFetch } from '../../server/net/safe-fetch.js';
import { createClientJwks } from '../../server/oauth2/client-jwks.js';
import { InvalidClient } from '../../server/oauth2/errors.js';

describe('client jwks_uri cache', () => {
  let server: http.Server;
  let base: string;
  const hits: string[] = [];
  const bodies: Record<string, { status: number; body: string; delayMs?: number }> = {};

  before(async () => {
    server = http.createServer((req, res) => {
      hits.push(req.url ?? '');
      const answer = bodies[req.url ?? ''] ?? { status: 404, body: '' };
      setTimeout(() => res.writeHead(answer.status).end(answer.body), answer.delayMs ?? 0);
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise((ok) => server.close(ok)));
  beforeEach(() => {
    hits.length = 0;
  });

  const set = (...kids: string[]) => JSON.stringify({ keys: kids.map((kid) => ({ kty: 'RSA', kid })) });
  let clock = 0;
  const jwks = (extra: Partial<Parameters<typeof createClientJwks>[0]> = {}) =>
    createClientJwks({
      fetch: createSafeFetch({ allowPrivate: true, exceptionUrls: [] }),
      now: () => clock,
      ...extra,
    });
  const failure = (p: Promise<unknown>) =>
    p.then(
      () => null,
      (e: unknown) => e as InvalidClient,
    );

  it('keeps a set for its TTL, then fetches it again', async () => {
    bodies['/a'] = { status: 200, body: set('one') };
    const cache = jwks({ ttlMs: 1000 });
    clock = 0;
    expect((await cache.resolve(`${base}/a`, false)).map((k) => k.kid)).to.deep.equal(['one']);
    clock = 999;
    await cache.resolve(`${base}/a`, false);
    expect(hits).to.deep.equal(['/a']);
    bodies['/a'] = { status: 200, body: set('two') };
    clock = 1000;
    expect((await cache.resolve(`${base}/a`, false)).map((k) => k.kid)).to.deep.equal(['two']);
    expect(hits).to.deep.equal(['/a', '/a']);
  });

  it('a refresh fetches at once, and at most once per interval', async () => {
    bodies['/b'] = { status: 200, body: set('one') };
    const cache = jwks({ refetchIntervalMs: 100 });
    clock = 0;
    await cache.resolve(`${base}/b`, false);
    await cache.resolve(`${base}/b`, true);
    await cache.resolve(`${base}/b`, true);
    clock = 99;
    await cache.resolve(`${base}/b`, true);
    expect(hits).to.have.length(2);
    clock = 100;
    await cache.resolve(`${base}/b`, true);
    expect(hits).to.have.length(3);
  });

  it('shares one fetch between concurrent callers', async () => {
    bodies['/slow'] = { status: 200, body: set('one'), delayMs: 50 };
    const cache = jwks();
    clock = 0;
    await Promise.all([1, 2, 3, 4].map(() => cache.resolve(`${base}/slow`, false)));
    expect(hits).to.deep.equal(['/slow']);
  });

  it('remembers a failure for the interval, with a message that says what is wrong', async () => {
    const cache = jwks({ refetchIntervalMs: 100 });
    clock = 0;
    const first = await failure(cache.resolve(`${base}/missing`, false));
    expect(first).to.be.instanceOf(InvalidClient);
    expect(first?.description).to.include(
      `Expected successful status code in range of 200 - 299 from location '${base}/missing' but received code 404.`,
    );
    clock = 50;
    expect(await failure(cache.resolve(`${base}/missing`, true))).to.equal(first);
    expect(hits).to.deep.equal(['/missing']);
    bodies['/missing'] = { status: 200, body: set('one') };
    clock = 100;
    expect(await cache.resolve(`${base}/missing`, false)).to.have.length(1);
  });

  it('refuses what is not a key set, and too many keys', async () => {
    bodies['/html'] = { status: 200, body: '<html>' };
    bodies['/many'] = { status: 200, body: set(...Array.from({ length: 5 }, (_, i) => `k${i}`)) };
    const cache = jwks({ maxKeys: 4 });
    expect((await failure(cache.resolve(`${base}/html`, false)))?.description).to.include(
      `Unable to decode JSON Web Keys from location '${base}/html'. Please check for typos and if the URL returns valid JSON.`,
    );
    expect((await failure(cache.resolve(`${base}/many`, false)))?.description).to.include(
      `The JSON Web Key Set at location '${base}/many' has 5 keys; at most 4 are accepted.`,
    );
  });

  it('refuses a body over the size cap', async () => {
    bodies['/big'] = { status: 200, body: set('x'.repeat(2000)) };
    const cache = jwks({ maxBytes: 1000 });
    expect((await failure(cache.resolve(`${base}/big`, false)))?.description).to.include(
      `Unable to fetch JSON Web Keys from location '${base}/big'. Check for typos or other network issues (the response from '${base}/big' is larger than 1000 bytes).`,
    );
  });

  it('holds at most maxEntries URLs', async () => {
    for (const p of ['/e1', '/e2', '/e3']) bodies[p] = { status: 200, body: set('one') };
    const cache = jwks({ maxEntries: 2 });
    clock = 0;
    for (const p of ['/e1', '/e2', '/e3', '/e1']) await cache.resolve(`${base}${p}`, false);
    // /e1 was evicted by /e3, so it is fetched again.
    expect(hits).to.deep.equal(['/e1', '/e2', '/e3', '/e1']);
  });
});
