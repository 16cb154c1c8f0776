// Token buckets and the failed-authentication lockout, on a controlled clock.
import { expect } from 'chai';
import { FailedAuthenticationLockout } from '../../server/protection/lockout.js';
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
