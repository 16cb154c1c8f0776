// A bounded map with least-recently-used eviction and an age limit per entry. Map keeps insertion order, so
// re-inserting a key on a hit makes the first key the least recently used one. Recency is kept to the second:
// a hit re-inserts only an entry not touched for `RECENCY_MS`, because deleting and re-adding the same hot key
// on every request (one client asking for thousands of tokens a second) keeps the Map rehashing and allocating.
// Expired entries at the least recently used end are dropped on every insert, so they do not wait for a read
// of their key, and a string key is stored in a copy of its own (see map-keys.ts).
import { ownCopy } from './map-keys.js';

/** How finely recency is tracked (see above). */
export const RECENCY_MS = 1000;

export interface LruOptions {
  /** Most entries kept; the least recently used one goes first. */
  max: number;
  /** An entry older than this (ms) counts as absent. */
  ttlMs: number;
  now?: () => number;
}

export class Lru<K, V> {
  private readonly entries = new Map<K, { value: V; expires: number; touched: number }>();
  private readonly now: () => number;

  constructor(private readonly options: LruOptions) {
    if (!(options.max >= 1)) throw new RangeError('an LRU needs room for at least one entry');
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    const now = this.now();
    if (entry.expires <= now) {
      this.entries.delete(key);
      return undefined;
    }
    if (now - entry.touched >= RECENCY_MS) {
      entry.touched = now;
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    return entry.value;
  }

  set(key: K, value: V): void {
    this.entries.delete(key);
    const now = this.now();
    const own = typeof key === 'string' ? (ownCopy(key) as K) : key;
    this.entries.set(own, { value, expires: now + this.options.ttlMs, touched: now });
    for (const [oldest, entry] of this.entries) {
      if (entry.expires > now && this.entries.size <= this.options.max) break;
      this.entries.delete(oldest);
    }
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}
