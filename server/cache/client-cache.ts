// Client lookups of the OAuth 2.0 hot path (client authentication, introspection) served from memory. An entry
// is dropped when this process changes the client, when PostgreSQL notifies that any replica changed it (see
// storage/pg-change-listener.ts), and in any case after `ttlMs`. While change notifications are not being
// received (the listening connection is down) nothing is cached, so a replica never serves a client another
// one has changed for longer than the notification's delivery.
import type { StoredClient } from '../clients/client.js';
import { Lru } from './lru.js';

export interface ClientReader {
  get(id: string): Promise<StoredClient | null>;
}

export interface ClientCacheOptions {
  max?: number;
  ttlMs?: number;
}

export class ClientCache implements ClientReader {
  private readonly entries: Lru<string, StoredClient | null>;
  private readonly pending = new Map<string, Promise<StoredClient | null>>();
  /** Bumped by every invalidation, so a read that raced one is not cached. */
  private generation = 0;
  private enabled = false;

  constructor(
    private readonly store: ClientReader,
    options: ClientCacheOptions = {},
  ) {
    this.entries = new Lru({ max: options.max ?? 10_000, ttlMs: options.ttlMs ?? 30_000 });
  }

  async get(id: string): Promise<StoredClient | null> {
    if (!this.enabled) return this.store.get(id);
    const hit = this.entries.get(id);
    if (hit !== undefined) return hit;
    let running = this.pending.get(id);
    if (!running) {
      const generation = this.generation;
      running = this.store.get(id).then(
        (client) => {
          this.pending.delete(id);
          if (this.enabled && generation === this.generation) this.entries.set(id, client);
          return client;
        },
        (err) => {
          this.pending.delete(id);
          throw err;
        },
      );
      this.pending.set(id, running);
    }
    return running;
  }

  invalidate(id: string): void {
    this.generation++;
    this.entries.delete(id);
    this.pending.delete(id);
  }

  /** Turns caching on (notifications flow) or off and empty (they do not, or some may have been missed). */
  setEnabled(enabled: boolean): void {
    this.generation++;
    this.enabled = enabled;
    this.entries.clear();
    this.pending.clear();
  }
}

/** The store as the admin API uses it: every write this process makes drops the cached copy at once. */
export function invalidatingOnWrite<
  S extends { update(c: StoredClient): Promise<void>; delete(id: string): Promise<boolean> },
>(store: S, cache: ClientCache): S {
  return Object.assign(Object.create(store) as S, {
    async update(client: StoredClient) {
      try {
        await store.update(client);
      } finally {
        cache.invalidate(client.client_id);
      }
    },
    async delete(id: string) {
      try {
        return await store.delete(id);
      } finally {
        cache.invalidate(id);
      }
    },
  });
}
