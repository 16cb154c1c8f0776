// Introspection's token lookups served from memory. A token row never changes, it is only deleted (revocation,
// DELETE /admin/oauth2/tokens, client deletion, the janitor), and every deleting statement notifies all replicas
// (migration 20261126000300), whereupon each empties this cache: deletions are rare next to lookups, so
// forgetting everything is simpler and as cheap as tracking rows. Found rows only; an unknown token always asks
// the database. Off (and empty) while change notifications are not being received, like ClientCache.
import type { AccessTokenRecord, AccessTokenStore } from '../oauth2/ports.js';
import { Lru } from './lru.js';

export class TokenCache implements AccessTokenStore {
  private readonly entries: Lru<string, AccessTokenRecord>;
  private generation = 0;
  private enabled = false;

  constructor(
    private readonly store: AccessTokenStore,
    options: { max?: number; ttlMs?: number } = {},
  ) {
    this.entries = new Lru({ max: options.max ?? 10_000, ttlMs: options.ttlMs ?? 30_000 });
  }

  insert(token: AccessTokenRecord): Promise<void> {
    return this.store.insert(token);
  }

  async get(signature: string): Promise<AccessTokenRecord | null> {
    if (!this.enabled) return this.store.get(signature);
    const hit = this.entries.get(signature);
    if (hit) return hit;
    const generation = this.generation;
    const found = await this.store.get(signature);
    if (found && this.enabled && generation === this.generation) this.entries.set(signature, found);
    return found;
  }

  async deleteByRequestId(requestId: string): Promise<void> {
    try {
      await this.store.deleteByRequestId(requestId);
    } finally {
      this.forget();
    }
  }

  async deleteByClientId(clientId: string): Promise<void> {
    try {
      await this.store.deleteByClientId(clientId);
    } finally {
      this.forget();
    }
  }

  /** Some token rows were deleted somewhere. */
  forget(): void {
    this.generation++;
    this.entries.clear();
  }

  setEnabled(enabled: boolean): void {
    this.forget();
    this.enabled = enabled;
  }
}
