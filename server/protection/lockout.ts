// Failed client authentication, per key: a (client id, source address) pair (see `lockoutKey` and
// docs/lockout.md). Each failure slows the next answer a little more, and the `threshold`-th failure in a row
// refuses that pair for `durationMs`, even with the right secret (a guesser must not learn that a guess was
// right). The same client from another address, and other clients, are not affected. A success resets the
// count; failures older than `durationMs` are forgotten.
//
// Memory is bounded: at most `maxKeys` pairs, each a fixed-size digest. A live entry is never dropped to make
// room, since that would hand a locked-out guesser fresh guesses; while the table is full, a pair it does not
// hold is refused (`fullFor`) until the oldest entry expires. Entries are kept in the order of their last
// failure, which is the order in which they expire, so expired ones are swept from the front as new ones come.
//
// Per process: with several instances behind a load balancer an attacker gets `threshold` guesses per instance
// per period, which still bounds guessing of a generated 26-character secret to nothing useful.
import { digestKey } from '../cache/map-keys.js';

export interface LockoutOptions {
  threshold: number;
  durationMs: number;
  /** Added delay per failure so far (capped at MAX_DELAY_MS). */
  delayMs: number;
  /** Most pairs tracked at once (default 100,000). */
  maxKeys?: number;
  now?: () => number;
}

interface Failures {
  count: number;
  last: number;
}

const MAX_DELAY_MS = 2_000;

/** The table key of a client id claimed from a source address: fixed-size whatever the caller sent. */
export function lockoutKey(clientId: string, source: string): string {
  // An address never holds a line feed, so the pair is unambiguous.
  return digestKey(`${source}\n${clientId}`);
}

export class FailedAuthenticationLockout {
  private readonly entries = new Map<string, Failures>();
  private readonly now: () => number;
  private readonly maxKeys: number;

  constructor(private readonly options: LockoutOptions) {
    this.now = options.now ?? Date.now;
    this.maxKeys = options.maxKeys ?? 100_000;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Milliseconds `key` stays locked out, or 0. */
  lockedFor(key: string): number {
    const entry = this.entries.get(key);
    if (!entry || entry.count < this.options.threshold) return 0;
    return Math.max(0, this.expiry(entry) - this.now());
  }

  /** 0 when `key` may be tried; while the table is full and does not hold `key`, the ms until a slot frees. */
  fullFor(key: string): number {
    if (this.entries.size < this.maxKeys) return 0;
    const now = this.now();
    this.sweep(now);
    if (this.entries.size < this.maxKeys || this.entries.has(key)) return 0;
    const oldest = this.entries.values().next().value;
    return oldest ? Math.max(1, this.expiry(oldest) - now) : 0;
  }

  /**
   * Records a failure; returns how long to hold the answer back (the slow-down). A new key finds no room only
   * when another request filled the last slot after this one's `fullFor`; it goes uncounted rather than evict.
   */
  failed(key: string): number {
    const now = this.now();
    this.sweep(now);
    const known = this.entries.get(key);
    if (!known && this.entries.size >= this.maxKeys) return this.options.delayMs;
    const entry = known && this.expiry(known) > now ? known : { count: 0, last: now };
    entry.count += 1;
    entry.last = now;
    // Re-inserted at the end: the Map stays in order of expiry.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return Math.min(MAX_DELAY_MS, this.options.delayMs * entry.count);
  }

  succeeded(key: string): void {
    if (this.entries.size === 0) return;
    this.entries.delete(key);
    this.sweep(this.now());
  }

  /** A failure counts until `durationMs` after the last one; a lockout ends then too. */
  private expiry(entry: Failures): number {
    return entry.last + this.options.durationMs;
  }

  private sweep(now: number): void {
    for (const [key, entry] of this.entries) {
      if (this.expiry(entry) > now) return;
      this.entries.delete(key);
    }
  }
}
