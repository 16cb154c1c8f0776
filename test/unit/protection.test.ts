// Token buckets and the failed-authentication lockout, on a controlled clock.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { pino } from 'pino';
import { createPublicApp } from '../../server/http/apps.js';
import { loadContract } from '../../server/http/contract.js';
import type { Handlers } from '../../server/http/operations.js';
import { rateLimit } from '../../server/http/rate-limit.js';
import { type SourceAddress, sourceAddress } from '../../server/http/source-address.js';
import { FailedAuthenticationLockout, lockoutKey } from '../../server/protection/lockout.js';
import { TokenBuckets } from '../../server/protection/token-bucket.js';

describe('TokenBuckets', () => {
  it('allows a burst, then one request per 1/rate seconds, per key', () => {
    let now = 0;
    const buckets = new TokenBuckets({ rate: 2, burst: 3, now: () => now });
    expect([buckets.take('a'), buckets.take('a'), buckets.take('a')]).to.deep.equal([0, 0, 0]);
    expect(buckets.take('a')).to.equal(500);
    expect(buckets.take('b')).to.equal(0);
    now = 499;
    expect(buckets.take('a')).to.be.above(0);
    now = 1000;
    expect(buckets.take('a')).to.equal(0);
    now = 1_000_000;
    // Refill stops at the burst.
    expect([0, 1, 2, 3].map(() => buckets.take('a'))).to.deep.equal([0, 0, 0, 500]);
  });

  it('keeps at most maxKeys buckets, dropping the least recently used', () => {
    const buckets = new TokenBuckets({ rate: 1, burst: 1, maxKeys: 2, now: () => 0 });
    buckets.take('a');
    buckets.take('b');
    buckets.take('a');
    buckets.take('c');
    expect(buckets.size).to.equal(2);
    // `a` was used last before `c` and kept (still empty); `b` was dropped and comes back full.
    expect(buckets.take('a')).to.be.above(0);
    expect(buckets.take('b')).to.equal(0);
  });
});

describe('FailedAuthenticationLockout', () => {
  it('slows down each failure more, locks out at the threshold, and releases after the duration', () => {
    let now = 0;
    const lockout = new FailedAuthenticationLockout({
      threshold: 3,
      durationMs: 1000,
      delayMs: 100,
      now: () => now,
    });
    expect(lockout.failed('a')).to.equal(100);
    expect(lockout.failed('a')).to.equal(200);
    expect(lockout.lockedFor('a')).to.equal(0);
    lockout.failed('a');
    expect(lockout.lockedFor('a')).to.equal(1000);
    expect(lockout.lockedFor('b')).to.equal(0);
    now = 999;
    expect(lockout.lockedFor('a')).to.equal(1);
    now = 1000;
    expect(lockout.lockedFor('a')).to.equal(0);
    expect(lockout.failed('a'), 'the count starts over').to.equal(100);
  });

  it('forgets old failures and resets on success; caps the delay', () => {
    let now = 0;
    const lockout = new FailedAuthenticationLockout({
      threshold: 100,
      durationMs: 1000,
      delayMs: 500,
      now: () => now,
    });
    lockout.failed('a');
    now = 1001;
    expect(lockout.failed('a')).to.equal(500);
    lockout.succeeded('a');
    expect(lockout.failed('a')).to.equal(500);
    for (let i = 0; i < 10; i++) lockout.failed('a');
    expect(lockout.failed('a')).to.equal(2000);
  });
});

describe('FailedAuthenticationLockout: bounded memory (issue 15, findings 1 and 5)', () => {
  it('never drops a live lock to make room; refuses new keys while full, until the oldest entry expires', () => {
    let now = 0;
    const lockout = new FailedAuthenticationLockout({
      threshold: 2,
      durationMs: 600_000,
      delayMs: 0,
      maxKeys: 3,
      now: () => now,
    });
    lockout.failed('victim');
    lockout.failed('victim');
    expect(lockout.lockedFor('victim')).to.equal(600_000);
    // A flood of other keys: the table fills up, and the lock stays.
    for (const key of ['flood-1', 'flood-2', 'flood-3', 'flood-4', 'flood-5']) {
      lockout.failed(key);
      now += 1000;
    }
    expect(lockout.lockedFor('victim'), 'the lock survives the flood').to.equal(600_000 - 5000);
    expect(lockout.size).to.equal(3);
    expect(lockout.fullFor('flood-5'), 'a new key waits for the oldest entry').to.equal(600_000 - 5000);
    expect(lockout.fullFor('flood-1'), 'a tracked key is counted as usual').to.equal(0);
    now = 600_000;
    expect(lockout.fullFor('flood-5'), 'the victim entry expired and made room').to.equal(0);
    expect(lockout.lockedFor('victim')).to.equal(0);
  });

  it('sweeps expired entries when a new one is recorded, without waiting for their keys', () => {
    let now = 0;
    const lockout = new FailedAuthenticationLockout({
      threshold: 5,
      durationMs: 1000,
      delayMs: 0,
      now: () => now,
    });
    for (let i = 0; i < 100; i++) lockout.failed(`key-${i}`);
    expect(lockout.size).to.equal(100);
    now = 1000;
    lockout.failed('late');
    expect(lockout.size).to.equal(1);
  });

  it('keys a (client id, address) pair by a fixed-size digest', () => {
    const long = lockoutKey('x'.repeat(1 << 20), '127.0.0.1');
    expect(long).to.have.length(44);
    expect(lockoutKey('app', '127.0.0.2')).to.not.equal(lockoutKey('app', '127.0.0.3'));
    expect(lockoutKey('app', '127.0.0.2')).to.equal(lockoutKey('app', '127.0.0.2'));
  });
});

describe('TokenBuckets: bounded memory (issue 15, finding 1)', () => {
  it('drops buckets that have refilled when a new key comes', () => {
    let now = 0;
    const buckets = new TokenBuckets({ rate: 10, burst: 5, now: () => now });
    for (let i = 0; i < 50; i++) buckets.take(`key-${i}`);
    expect(buckets.size).to.equal(50);
    // Each bucket gave one token of five; at ten a second it is full again after 100 ms.
    now = 99;
    buckets.take('new-1');
    expect(buckets.size, 'not yet refilled').to.equal(51);
    now = 200;
    buckets.take('new-2');
    expect(buckets.size).to.equal(1);
  });
});

describe('sourceAddress (serve.trusted_proxies)', () => {
  const request = (peer: string, forwarded?: string) =>
    ({
      socket: { remoteAddress: peer },
      headers: forwarded === undefined ? {} : { 'x-forwarded-for': forwarded },
    }) as unknown as IncomingMessage;

  it('is the TCP peer when no proxy is trusted, whatever X-Forwarded-For says', () => {
    const source = sourceAddress([]);
    expect(source(request('10.0.0.5', '203.0.113.9'))).to.equal('10.0.0.5');
  });

  it('reads X-Forwarded-For from the right, past trusted proxies only', () => {
    const source = sourceAddress(['10.0.0.0/8', '::1']);
    expect(source(request('10.0.0.5', '203.0.113.9'))).to.equal('203.0.113.9');
    // The caller prepended a fake entry; the proxy appended the real peer.
    expect(source(request('10.0.0.5', '198.51.100.1, 203.0.113.9'))).to.equal('203.0.113.9');
    // Two trusted hops.
    expect(source(request('::1', '203.0.113.9, 10.1.2.3'))).to.equal('203.0.113.9');
    expect(source(request('::ffff:10.0.0.5', '2001:db8::7'))).to.equal('2001:db8::7');
    // Not trusted: the header is ignored.
    expect(source(request('192.0.2.1', '203.0.113.9'))).to.equal('192.0.2.1');
    // No header, or garbage: the last trusted hop.
    expect(source(request('10.0.0.5'))).to.equal('10.0.0.5');
    expect(source(request('10.0.0.5', 'unknown, 10.0.0.6'))).to.equal('10.0.0.6');
  });

  it('is worked out once per request, shared by the rate limit and the handler, on both paths', async () => {
    let asked = 0;
    const proxied = sourceAddress(['127.0.0.1']);
    const counted: SourceAddress = (req) => {
      asked++;
      return proxied(req);
    };
    const seen: string[] = [];
    const handlers = {
      oauth2TokenExchange: async ({ source }: { source: string }) => {
        seen.push(source);
        return { status: 200, body: {} };
      },
    } as unknown as Handlers;
    const limits = { perAddress: new TokenBuckets({ rate: 1000, burst: 1000 }) };
    const app = createPublicApp(pino({ level: 'silent' }), loadContract(), handlers, {
      operationHooks: rateLimit(limits, counted),
      sourceAddress: counted,
    });
    const server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const post = (path: string, body: string) =>
      fetch(`${base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': '203.0.113.9' },
        body,
      }).then((r) => r.status);
    try {
      // The plain request takes the fast path; the trailing slash sends the same operation through Express.
      for (const path of ['/oauth2/token', '/oauth2/token/']) {
        asked = 0;
        expect(await post(path, 'grant_type=client_credentials'), path).to.equal(200);
        expect(asked, path).to.equal(1);
      }
      expect(seen).to.deep.equal(['203.0.113.9', '203.0.113.9']);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
