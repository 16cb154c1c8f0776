// A bounded map with least-recently-used eviction and an age limit per entry. Map keeps insertion order, so
// re-inserting on every hit makes the first key the least recently used one.

export interface LruOptions {
  /** Most entries kept; the least recently used one goes first. */
  max: number;
  /** An entry older than this (ms) counts as absent. */
  ttlMs: number;
  now?: () => number;
}

export class Lru<K, V> {
  private readonly entries = new Map<K, { value: V; expires: number }>();
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
    this.entries.delete(key);
    if (entry.expires <= this.now()) return undefined;
    this.entries.set(key, entry);
    return entry.value;
  }

  set(key: K, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, { value, expires: this.now() + this.options.ttlMs });
    if (this.entries.size > this.options.max) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}
