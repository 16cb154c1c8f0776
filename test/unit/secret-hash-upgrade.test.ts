// Rehash on login (clients/secret-hash-upgrade.ts): a weaker stored hash is replaced after a successful
// authentication, through a conditional write that never undoes a concurrent secret change.
import { expect } from 'chai';
import { ClientCache, invalidatingOnWrite } from '../../server/cache/client-cache.js';
import type { StoredClient } from '../../server/clients/client.js';
import { secretHashUpgrade } from '../../server/clients/secret-hash-upgrade.js';
import { Pbkdf2Hasher } from '../../server/crypto/hasher.js';
import { MemoryClientStore } from '../helpers/memory-client-store.js';
import { makeClient } from '../helpers/oauth2-clients.js';

const weak = new Pbkdf2Hasher(1000);
const strong = new Pbkdf2Hasher(3000);

async function storedWith(store: MemoryClientStore, secret: string): Promise<StoredClient> {
  const client = { ...makeClient({ client_id: 'c1' }), secret_hash: await weak.hash(secret) };
  await store.create(client);
  return client;
}

/** The configured hasher, counting its hashes. */
function countingHasher() {
  return {
    hashed: 0,
    needsRehash: (h: string) => strong.needsRehash(h),
    hash(s: string) {
      this.hashed++;
      return strong.hash(s);
    },
  };
}

describe('rehash on login', () => {
  it('replaces a weaker hash with one at the configured cost, and changes nothing else', async () => {
    const store = new MemoryClientStore();
    const client = await storedWith(store, 's3cret');
    const errors: unknown[] = [];
    const upgrade = secretHashUpgrade({ hasher: strong, store, onError: (_, e) => errors.push(e) });
    await upgrade(client, 's3cret');
    const after = store.raw('c1')!;
    expect(after.secret_hash).to.match(/^\$pbkdf2-sha256\$i=3000,/);
    expect(await strong.verify('s3cret', after.secret_hash!)).to.equal(true);
    expect({ ...after, secret_hash: null }).to.deep.equal({ ...client, secret_hash: null });
    expect(errors).to.deep.equal([]);
  });

  it('never overwrites a secret changed meanwhile', async () => {
    const store = new MemoryClientStore();
    const client = await storedWith(store, 'old-secret');
    const changed = await strong.hash('new-secret');
    const upgrade = secretHashUpgrade({
      hasher: {
        needsRehash: (h) => strong.needsRehash(h),
        // The secret changes while the rehash runs.
        hash: async (s) => {
          await store.replaceSecretHash('c1', client.secret_hash!, changed);
          return strong.hash(s);
        },
      },
      store,
      onError: () => {},
    });
    await upgrade(client, 'old-secret');
    expect(store.raw('c1')!.secret_hash).to.equal(changed);
  });

  it('leaves a hash at the configured cost alone', async () => {
    const store = new MemoryClientStore();
    const client = { ...makeClient({ client_id: 'c1' }), secret_hash: await strong.hash('s') };
    await store.create(client);
    const counted = countingHasher();
    const upgrade = secretHashUpgrade({
      hasher: counted,
      store,
      onError: () => {},
    });
    await upgrade(client, 's');
    expect(counted.hashed).to.equal(0);
    expect(store.raw('c1')!.secret_hash).to.equal(client.secret_hash);
  });

  it('while the store refuses the write, rehashes a cached row once, and a reloaded row once more', async () => {
    const store = new MemoryClientStore();
    await storedWith(store, 's3cret');
    const cache = new ClientCache(store, { enabled: true });
    const failing = Object.assign(Object.create(store) as MemoryClientStore, {
      replaceSecretHash: async () => {
        throw new Error('database is read-only');
      },
    });
    const counted = countingHasher();
    const errors: string[] = [];
    const upgrade = secretHashUpgrade({
      hasher: counted,
      // As wired: the cache's own store, which drops the cached row after a write.
      store: invalidatingOnWrite(failing, cache),
      onError: (id) => errors.push(id),
    });
    for (let i = 0; i < 3; i++) await upgrade((await cache.get('c1'))!, 's3cret');
    expect(counted.hashed).to.equal(1);
    expect(errors).to.deep.equal(['c1']);

    cache.invalidate('c1');
    for (let i = 0; i < 3; i++) await upgrade((await cache.get('c1'))!, 's3cret');
    expect(counted.hashed).to.equal(2);
  });
});
