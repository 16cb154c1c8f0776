// The hot path's memory (issue 5): the LRU bound, remembered secret verifications, the client cache's
// invalidation, and group commit handing every caller its own result.
import { expect } from 'chai';
import type { ChangeFeed, ChangeSubscriber } from '../../server/cache/change-feed.js';
import { ClientCache } from '../../server/cache/client-cache.js';
import { Lru, RECENCY_MS } from '../../server/cache/lru.js';
import { NotifiedCache } from '../../server/cache/notified-cache.js';
import { RevocationCache } from '../../server/cache/revocation-cache.js';
import { TokenCache } from '../../server/cache/token-cache.js';
import { rememberVerifiedSecrets } from '../../server/cache/verified-secrets.js';
import type { StoredClient } from '../../server/clients/client.js';
import type { AccessTokenRecord, AccessTokenStore } from '../../server/oauth2/ports.js';
import type { StatelessRevocations } from '../../server/oauth2/stateless.js';
import { Batcher, ItemFailed } from '../../server/storage/batcher.js';

/** What the PostgreSQL listener would announce, told by the test. */
class TestFeed implements ChangeFeed {
  private readonly subscriptions: { tables: readonly string[]; subscriber: ChangeSubscriber }[] = [];
  subscribe(tables: readonly string[], subscriber: ChangeSubscriber): void {
    this.subscriptions.push({ tables, subscriber });
  }
  listening(on: boolean): void {
    for (const { subscriber } of this.subscriptions) subscriber.listening(on);
  }
  changed(table: string, id = ''): void {
    for (const { tables, subscriber } of this.subscriptions)
      if (tables.includes(table)) subscriber.changed(id);
  }
}

/** The cache, following a feed the test drives. */
function watched<C extends { watch(feed: ChangeFeed): void }>(cache: C): { cache: C; feed: TestFeed } {
  const feed = new TestFeed();
  cache.watch(feed);
  return { cache, feed };
}

describe('hot-path caches and group commit', () => {
  describe('Lru', () => {
    it('keeps at most max entries, evicting the least recently used (recency to the second)', () => {
      let now = 0;
      const lru = new Lru<string, number>({ max: 2, ttlMs: 60_000, now: () => now });
      lru.set('a', 1);
      lru.set('b', 2);
      now += RECENCY_MS;
      expect(lru.get('a')).to.equal(1); // a is now the most recent
      lru.set('c', 3);
      expect(lru.size).to.equal(2);
      expect(lru.get('b')).to.equal(undefined);
      expect(lru.get('a')).to.equal(1);
      expect(lru.get('c')).to.equal(3);
    });

    it('a hit within the same second does not reorder: the oldest insertion goes first', () => {
      let now = 0;
      const lru = new Lru<string, number>({ max: 2, ttlMs: 60_000, now: () => now });
      lru.set('a', 1);
      lru.set('b', 2);
      now += RECENCY_MS - 1;
      expect(lru.get('a')).to.equal(1);
      lru.set('c', 3);
      expect(lru.get('a')).to.equal(undefined);
      expect(lru.get('b')).to.equal(2);
    });

    it('forgets entries older than ttlMs', () => {
      let now = 0;
      const lru = new Lru<string, number>({ max: 10, ttlMs: 100, now: () => now });
      lru.set('a', 1);
      now = 99;
      expect(lru.get('a')).to.equal(1);
      now = 200;
      expect(lru.get('a')).to.equal(undefined);
    });

    it('drops expired entries when a new one is set, without waiting for a read of their key', () => {
      let now = 0;
      const lru = new Lru<string, number>({ max: 10_000, ttlMs: 100, now: () => now });
      for (let i = 0; i < 1000; i++) lru.set(`unknown-client-${i}`, i);
      now = 100;
      lru.set('fresh', 1);
      expect(lru.size).to.equal(1);
      expect(lru.get('fresh')).to.equal(1);
    });
  });

  describe('rememberVerifiedSecrets', () => {
    it('hashes once per (stored hash, secret), never remembers failures, and a new hash misses', async () => {
      const calls: string[] = [];
      const verify = rememberVerifiedSecrets(async (secret, hash) => {
        calls.push(`${hash}:${secret}`);
        return secret === `right-for-${hash}`;
      });
      expect(await Promise.all([1, 2, 3].map(() => verify('right-for-h1', 'h1')))).to.deep.equal([
        true,
        true,
        true,
      ]);
      expect(await verify('right-for-h1', 'h1')).to.equal(true);
      expect(calls).to.deep.equal(['h1:right-for-h1']); // concurrent first calls shared one verification
      expect(await verify('wrong', 'h1')).to.equal(false);
      expect(await verify('wrong', 'h1')).to.equal(false);
      expect(calls.filter((c) => c === 'h1:wrong')).to.have.length(2);
      // The secret was changed: the stored hash differs, so the old secret is verified again and refused.
      expect(await verify('right-for-h1', 'h2')).to.equal(false);
    });
  });

  describe('NotifiedCache (shared by the client, token and revocation caches)', () => {
    /** A load that settles when told to, counting how many were started. */
    const deferredLoads = () => {
      const settle: ((value: string) => void)[] = [];
      const fail: ((err: Error) => void)[] = [];
      return {
        started: () => settle.length,
        load: () =>
          new Promise<string>((resolve, reject) => {
            settle.push(resolve);
            fail.push(reject);
          }),
        settle: (i: number, value: string) => settle[i]?.(value),
        fail: (i: number, err: Error) => fail[i]?.(err),
      };
    };

    it('concurrent misses for one key share a single load', async () => {
      const loads = deferredLoads();
      const cache = new NotifiedCache<string, string>();
      cache.setEnabled(true);
      const a = cache.get('k', loads.load);
      const b = cache.get('k', loads.load);
      const other = cache.get('other', loads.load);
      expect(loads.started()).to.equal(2);
      loads.settle(0, 'v');
      loads.settle(1, 'w');
      expect([await a, await b, await other]).to.deep.equal(['v', 'v', 'w']);
      expect(await cache.get('k', loads.load)).to.equal('v');
      expect(loads.started()).to.equal(2);
    });

    it('enabled from the start caches before any notification; a refused value loads again, shared', async () => {
      const loads = deferredLoads();
      const cache = new NotifiedCache<string, string>({ enabled: true });
      const first = cache.get('k', loads.load);
      loads.settle(0, 'v1');
      expect(await first).to.equal('v1');
      expect(await cache.get('k', loads.load, (v) => v === 'v1')).to.equal('v1');
      expect(loads.started()).to.equal(1);
      const refused = cache.get('k', loads.load, () => false);
      const joined = cache.get('k', loads.load, () => false);
      expect(loads.started()).to.equal(2);
      loads.settle(1, 'v2');
      expect([await refused, await joined]).to.deep.equal(['v2', 'v2']);
      expect(await cache.get('k', loads.load)).to.equal('v2');
      expect(loads.started()).to.equal(2);
    });

    it('a load started after an invalidation keeps its place when the older one settles', async () => {
      const loads = deferredLoads();
      const cache = new NotifiedCache<string, string>();
      cache.setEnabled(true);
      const before = cache.get('k', loads.load);
      cache.forget('k');
      const after = cache.get('k', loads.load);
      loads.settle(0, 'stale');
      expect(await before).to.equal('stale');
      // Still loading the fresh value: a new caller joins it instead of starting a third load or reading 'stale'.
      const joined = cache.get('k', loads.load);
      expect(loads.started()).to.equal(2);
      loads.settle(1, 'fresh');
      expect([await after, await joined]).to.deep.equal(['fresh', 'fresh']);
      expect(await cache.get('k', loads.load)).to.equal('fresh');
      expect(loads.started()).to.equal(2);
    });

    it('remembers neither failures nor values it is told not to keep', async () => {
      const loads = deferredLoads();
      const cache = new NotifiedCache<string, string>({}, (v) => v !== 'absent');
      cache.setEnabled(true);
      const failed = cache.get('k', loads.load);
      loads.fail(0, new Error('database down'));
      expect(await failed.catch((e: unknown) => e)).to.have.property('message', 'database down');
      const absent = cache.get('k', loads.load);
      loads.settle(1, 'absent');
      expect(await absent).to.equal('absent');
      const found = cache.get('k', loads.load);
      expect(loads.started()).to.equal(3);
      loads.settle(2, 'row');
      expect(await found).to.equal('row');
      expect(await cache.get('k', loads.load)).to.equal('row');
      expect(loads.started()).to.equal(3);
      // A load that throws instead of rejecting fails its callers the same way, enabled or not.
      for (const enabled of [true, false]) {
        cache.setEnabled(enabled);
        const thrown = cache.get('x', () => {
          throw new Error('thrown');
        });
        expect(await thrown.catch((e: unknown) => e)).to.have.property('message', 'thrown');
      }
    });
    it('forgetAfter drops what a change made here touched, also when the change fails', async () => {
      let value = 'one';
      const cache = new NotifiedCache<string, string>();
      cache.setEnabled(true);
      const load = async () => value;
      expect(await cache.get('k', load)).to.equal('one');
      value = 'two';
      expect(await cache.forgetAfter(async () => 'changed', 'k')).to.equal('changed');
      expect(await cache.get('k', load)).to.equal('two');
      value = 'three';
      const failed = cache.forgetAfter(async () => {
        throw new Error('constraint');
      });
      expect(await failed.catch((e: unknown) => e)).to.have.property('message', 'constraint');
      expect(await cache.get('k', load)).to.equal('three');
    });
  });

  describe('TokenCache', () => {
    const row = { signature: 's', client_id: 'c' } as unknown as AccessTokenRecord;

    it('remembers found rows only, and forgets them all when tokens are deleted here or elsewhere', async () => {
      let present = false;
      let reads = 0;
      const store = {
        get: async () => {
          reads++;
          return present ? row : null;
        },
        deleteByClientId: async () => {},
      } as unknown as AccessTokenStore;
      const { cache, feed } = watched(new TokenCache(store));
      feed.listening(true);
      expect(await cache.get('s')).to.equal(null);
      present = true;
      expect(await cache.get('s')).to.equal(row); // an unknown token is asked again
      expect(await cache.get('s')).to.equal(row);
      expect(reads).to.equal(2);
      present = false;
      await cache.deleteByClientId('c');
      expect(await cache.get('s')).to.equal(null);
      present = true;
      await cache.get('s');
      feed.changed('oauth2_access_tokens'); // a notification from another replica
      present = false;
      expect(await cache.get('s')).to.equal(null);
      expect(reads).to.equal(5);
    });
  });

  describe('ClientCache', () => {
    const client = (id: string, name: string) =>
      ({ client_id: id, client_name: name }) as unknown as StoredClient;

    it('serves from memory while enabled, and reads again after invalidate or when disabled', async () => {
      let stored = client('c', 'one');
      let reads = 0;
      const { cache, feed } = watched(
        new ClientCache({
          get: async () => {
            reads++;
            return stored;
          },
        }),
      );
      await cache.get('c');
      await cache.get('c');
      expect(reads).to.equal(2); // disabled until notifications flow
      feed.listening(true);
      await cache.get('c');
      await cache.get('c');
      expect(reads).to.equal(3);
      stored = client('c', 'two');
      expect((await cache.get('c'))?.client_name).to.equal('one');
      cache.invalidate('c');
      expect((await cache.get('c'))?.client_name).to.equal('two');
      feed.listening(false);
      stored = client('c', 'three');
      expect((await cache.get('c'))?.client_name).to.equal('three');
    });

    it('does not cache a read that raced an invalidation', async () => {
      let release!: () => void;
      let reads = 0;
      const { cache, feed } = watched(
        new ClientCache({
          get: () => {
            reads++;
            if (reads > 1) return Promise.resolve(client('c', 'fresh'));
            return new Promise((resolve) => {
              release = () => resolve(client('c', 'stale'));
            });
          },
        }),
      );
      feed.listening(true);
      const pending = cache.get('c');
      cache.invalidate('c');
      release();
      expect((await pending)?.client_name).to.equal('stale');
      expect((await cache.get('c'))?.client_name).to.equal('fresh');
      expect(reads).to.equal(2);
    });
  });

  describe('RevocationCache (stateless JWTs)', () => {
    /** A revocation store that counts its reads; `revoked` holds the revoked signatures. */
    function countingStore() {
      const revoked = new Set<string>();
      const store = {
        reads: 0,
        revoked,
        async isRevoked(token: { signature: string }) {
          store.reads++;
          return revoked.has(token.signature);
        },
        async revokeAllOf() {},
        async revokeOne(token: { signature: string }) {
          revoked.add(token.signature);
        },
      } satisfies StatelessRevocations & { reads: number; revoked: Set<string> };
      return store;
    }
    const token = (signature: string) => ({ signature, client_id: 'c', requested_at: new Date(0) });

    it('remembers answers while enabled, and forgets them on a change here or a notification', async () => {
      const store = countingStore();
      const { cache, feed } = watched(new RevocationCache(store));
      feed.listening(true);
      expect(await cache.isRevoked(token('a'))).to.equal(false);
      expect(await cache.isRevoked(token('a'))).to.equal(false);
      expect(store.reads).to.equal(1);
      await cache.revokeOne({ signature: 'a', client_id: 'c', expires_at: new Date(0) });
      expect(await cache.isRevoked(token('a'))).to.equal(true);
      expect(store.reads).to.equal(2);
      // Another replica revoked `b`: the notification arrives.
      expect(await cache.isRevoked(token('b'))).to.equal(false);
      store.revoked.add('b');
      feed.changed('oauth2_revoked_stateless_tokens');
      expect(await cache.isRevoked(token('b'))).to.equal(true);
    });

    it('asks the store every time while notifications are not received', async () => {
      const store = countingStore();
      const { cache, feed } = watched(new RevocationCache(store));
      await cache.isRevoked(token('a'));
      await cache.isRevoked(token('a'));
      feed.listening(true);
      await cache.isRevoked(token('a'));
      feed.listening(false);
      await cache.isRevoked(token('a'));
      expect(store.reads).to.equal(4);
    });
  });

  describe('Batcher (group commit)', () => {
    it('runs the items queued in one event-loop turn as one batch and gives each caller its own result', async () => {
      const batches: number[][] = [];
      const batcher = new Batcher<number, number>({
        run: async (items) => {
          batches.push(items);
          return items.map((i) => (i === 3 ? new ItemFailed(new Error('three')) : i * 10));
        },
      });
      const results = await Promise.allSettled([1, 2, 3, 4].map((i) => batcher.add(i)));
      expect(batches).to.deep.equal([[1, 2, 3, 4]]);
      expect(
        results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message)),
      ).to.deep.equal([10, 20, 'three', 40]);
    });

    it('rejects every caller of a failed batch, and resolves nobody before its batch has finished', async () => {
      let finish!: (err?: Error) => void;
      const batcher = new Batcher<number, void>({
        run: (items) =>
          new Promise((resolve, reject) => {
            finish = (err) => (err ? reject(err) : resolve(items.map(() => undefined)));
          }),
        maxConcurrent: 1,
      });
      let settled = 0;
      const first = [batcher.add(1), batcher.add(2)].map((p) => p.finally(() => settled++));
      await new Promise((r) => setImmediate(r));
      await new Promise((r) => setImmediate(r));
      expect(settled).to.equal(0);
      finish(new Error('database down'));
      const outcomes = await Promise.allSettled(first);
      expect(outcomes.map((o) => o.status)).to.deep.equal(['rejected', 'rejected']);
    });

    it('an outage error also fails what is queued behind the batch at once; other errors do not', async () => {
      const outage = new Error('unreachable');
      const runs: number[][] = [];
      const finishers: ((err?: Error) => void)[] = [];
      const batcher = new Batcher<number, void>({
        run: (items) => {
          runs.push(items);
          return new Promise((resolve, reject) => {
            finishers.push((err) => (err ? reject(err) : resolve(items.map(() => undefined))));
          });
        },
        maxConcurrent: 1,
        failsQueued: (err) => err === outage,
      });
      const turn = () => new Promise((r) => setImmediate(r));
      // A batch that fails with an ordinary error: the queued item still runs in its own batch.
      const a = batcher.add(1);
      await turn();
      const b = batcher.add(2);
      finishers[0]?.(new Error('one bad row'));
      await Promise.allSettled([a]);
      await turn();
      expect(runs).to.deep.equal([[1], [2]]);
      // That batch fails with the outage: the items queued behind it fail with it, without running.
      const queued = [batcher.add(3), batcher.add(4)];
      finishers[1]?.(outage);
      const outcomes = await Promise.allSettled([b, ...queued]);
      expect(outcomes.map((o) => (o.status === 'rejected' ? o.reason : o.status))).to.deep.equal([
        outage,
        outage,
        outage,
      ]);
      expect(runs).to.deep.equal([[1], [2]]);
    });
  });
});
