// What the hot path's read caches (clients, token rows, stateless revocation answers) share: entries valid
// only while PostgreSQL's change notifications are being received (see storage/pg-change-listener.ts), dropped
// when a change is announced, and never filled by a read that raced such a change.
import type { ChangeFeed } from './change-feed.js';
import { Lru } from './lru.js';

export interface NotifiedCacheOptions {
  max?: number;
  ttlMs?: number;
  /**
   * Caching from the start, before notifications are heard of. For data where the TTL alone is an acceptable
   * bound while notifications are down (the owner then never turns it off).
   */
  enabled?: boolean;
}

export class NotifiedCache<K, V> {
  private readonly entries: Lru<K, V>;
  /** One load per key at a time: concurrent misses for the same key share it. */
  private readonly pending = new Map<K, Promise<V>>();
  /** Bumped by every invalidation, so a load that raced one is not remembered. */
  private generation = 0;
  private enabled: boolean;

  constructor(
    options: NotifiedCacheOptions = {},
    /** Which loaded values are worth remembering (say, found rows only). */
    private readonly keep: (value: V) => boolean = () => true,
  ) {
    this.entries = new Lru({ max: options.max ?? 10_000, ttlMs: options.ttlMs ?? 30_000 });
    this.enabled = options.enabled ?? false;
  }

  /**
   * The remembered value for `key`, else what `load` gives. While disabled, always `load`. A remembered value
   * that `usable` refuses is loaded again (a load already running is shared) and the new value remembered.
   */
  get(key: K, load: () => Promise<V>, usable?: (remembered: V) => boolean): Promise<V> {
    if (!this.enabled) return settle(load);
    const hit = this.entries.get(key);
    if (hit !== undefined && (usable === undefined || usable(hit))) return Promise.resolve(hit);
    const shared = this.pending.get(key);
    if (shared) return shared;
    const generation = this.generation;
    const done = () => {
      // A load started after an invalidation may have taken this key's slot meanwhile.
      if (this.pending.get(key) === running) this.pending.delete(key);
    };
    const running = settle(load).then(
      (value) => {
        done();
        if (this.enabled && generation === this.generation && this.keep(value)) this.entries.set(key, value);
        return value;
      },
      (err) => {
        done();
        throw err;
      },
    );
    this.pending.set(key, running);
    return running;
  }

  /** Something changed: forget `key`, or everything. Loads already running are not remembered either. */
  forget(key?: K): void {
    this.generation++;
    if (key === undefined) {
      this.entries.clear();
      this.pending.clear();
    } else {
      this.entries.delete(key);
      this.pending.delete(key);
    }
  }

  /** Runs a change made here, then forgets (`key`, or everything) whether or not the change went through. */
  async forgetAfter<T>(change: () => Promise<T>, key?: K): Promise<T> {
    try {
      return await change();
    } finally {
      this.forget(key);
    }
  }

  /**
   * Follows `tables`: each change announced forgets the entry `key(id)` names (everything without `key`), and
   * caching is on only while notifications flow.
   */
  follow(feed: ChangeFeed, tables: readonly string[], key?: (id: string) => K): void {
    feed.subscribe(tables, {
      changed: (id) => this.forget(key?.(id)),
      listening: (on) => this.setEnabled(on),
    });
  }

  /** On while notifications flow; off and empty when they do not, or some may have been missed. */
  setEnabled(enabled: boolean): void {
    this.forget();
    this.enabled = enabled;
  }
}

/** `load()`, with a synchronous throw turned into a rejection like any other failure of the load. */
function settle<V>(load: () => Promise<V>): Promise<V> {
  try {
    return load();
  } catch (err) {
    return Promise.reject(err);
  }
}
