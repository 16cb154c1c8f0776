// Introspection's token lookups served from memory. A token row never changes, it is only deleted (revocation,
// DELETE /admin/oauth2/tokens, client deletion, the janitor), and every deleting statement notifies all replicas
// (migration 20261126000300), whereupon each empties this cache: deletions are rare next to lookups, so
// forgetting everything is simpler and as cheap as tracking rows. Found rows only; an unknown token always asks
// the database. Off (and empty) while change notifications are not being received, like ClientCache.
import type { AccessTokenRecord, AccessTokenStore } from '../oauth2/ports.js';
import type { ChangeFeed } from './change-feed.js';
import { NotifiedCache } from './notified-cache.js';

export class TokenCache implements AccessTokenStore {
  private readonly cache: NotifiedCache<string, AccessTokenRecord | null>;

  constructor(
    private readonly store: AccessTokenStore,
    options: { max?: number; ttlMs?: number } = {},
  ) {
    this.cache = new NotifiedCache(options, (found) => found !== null);
  }

  insert(token: AccessTokenRecord): Promise<void> {
    return this.store.insert(token);
  }

  get(signature: string): Promise<AccessTokenRecord | null> {
    return this.cache.get(signature, () => this.store.get(signature));
  }

  deleteByRequestId(requestId: string): Promise<void> {
    return this.cache.forgetAfter(() => this.store.deleteByRequestId(requestId));
  }

  deleteByClientId(clientId: string): Promise<void> {
    return this.cache.forgetAfter(() => this.store.deleteByClientId(clientId));
  }

  /**
   * Runs a change that deletes token rows through another store (a grant's revocation or rotation), then
   * forgets everything: this replica stops answering from memory at once, not when the notification arrives.
   */
  forgetAfter<T>(change: () => Promise<T>): Promise<T> {
    return this.cache.forgetAfter(change);
  }

  /** Follows token deletions (migration 20261126000300 notifies `oauth2_access_tokens`). */
  watch(feed: ChangeFeed): void {
    this.cache.follow(feed, ['oauth2_access_tokens']);
  }
}
