// Client lookups of the OAuth 2.0 hot path (client authentication, introspection) served from memory. An entry
// is dropped when this process changes the client, when PostgreSQL notifies that any replica changed it (see
// storage/pg-change-listener.ts), and in any case after `ttlMs`. While change notifications are not being
// received (the listening connection is down) nothing is cached, so a replica never serves a client another
// one has changed for longer than the notification's delivery.
import type { StoredClient } from '../clients/client.js';
import type { ChangeFeed } from './change-feed.js';
import { digestKey } from './map-keys.js';
import { NotifiedCache, type NotifiedCacheOptions } from './notified-cache.js';

export interface ClientReader {
  get(id: string): Promise<StoredClient | null>;
}

export type ClientCacheOptions = NotifiedCacheOptions;

export class ClientCache implements ClientReader {
  // Unknown clients are remembered too (null): a wrong client id asks the database once, not on every try.
  // Keyed by a digest of the id, so a key's size does not depend on what a caller claimed (map-keys.ts).
  private readonly cache: NotifiedCache<string, StoredClient | null>;

  constructor(
    private readonly store: ClientReader,
    options: ClientCacheOptions = {},
  ) {
    this.cache = new NotifiedCache(options);
  }

  get(id: string): Promise<StoredClient | null> {
    return this.cache.get(digestKey(id), () => this.store.get(id));
  }

  /** Follows client changes (migration 20261126000300 notifies `oauth2_clients` with the client id). */
  watch(feed: ChangeFeed): void {
    this.cache.follow(feed, ['oauth2_clients'], digestKey);
  }

  invalidate(id: string): void {
    this.cache.forget(digestKey(id));
  }

  /** Runs a change of client `id` made here, then drops the cached copy whether or not it went through. */
  invalidateAfter<T>(id: string, change: () => Promise<T>): Promise<T> {
    return this.cache.forgetAfter(change, digestKey(id));
  }
}

/** The store as the admin API uses it: every write this process makes drops the cached copy at once. */
export function invalidatingOnWrite<
  S extends {
    update(c: StoredClient): Promise<void>;
    modify(id: string, change: (c: StoredClient) => Promise<StoredClient>): Promise<StoredClient>;
    delete(id: string): Promise<boolean>;
    replaceSecretHash(id: string, expected: string, next: string): Promise<boolean>;
  },
>(store: S, cache: ClientCache): S {
  return Object.assign(Object.create(store) as S, {
    modify: (id: string, change: (c: StoredClient) => Promise<StoredClient>) =>
      cache.invalidateAfter(id, () => store.modify(id, change)),
    update: (client: StoredClient) => cache.invalidateAfter(client.client_id, () => store.update(client)),
    delete: (id: string) => cache.invalidateAfter(id, () => store.delete(id)),
    // Dropped only once the write answered: the same secret hashed again needs no read-your-write, and a
    // failed rehash that reloaded the row would make the next login start it again (secret-hash-upgrade.ts).
    // A write that committed before the error is still announced by the change notification.
    replaceSecretHash: async (id: string, expected: string, next: string) => {
      const replaced = await store.replaceSecretHash(id, expected, next);
      cache.invalidate(id);
      return replaced;
    },
  });
}
