// Failed client authentication, per client id: each failure slows the next answer a little more, and the
// `threshold`-th failure in a row refuses that client id for `durationMs`, even with the right secret (a
// guesser must not learn that a guess was right). Other client ids are never affected. A success resets the
// count; failures older than `durationMs` are forgotten. Memory is bounded like the token buckets.
//
// Per process: with several instances behind a load balancer an attacker gets `threshold` guesses per instance
// per period, which still bounds guessing of a generated 26-character secret to nothing useful.

export interface LockoutOptions {
  threshold: number;
  durationMs: number;
  /** Added delay per failure so far (capped at MAX_DELAY_MS). */
  delayMs: number;
  maxKeys?: number;
  now?: () => number;
}

interface Failures {
  count: number;
  last: number;
  lockedUntil: number;
}

const MAX_DELAY_MS = 2_000;

export class FailedAuthenticationLockout {
  private readonly entries = new Map<string, Failures>();
  private readonly now: () => number;
  private readonly maxKeys: number;

  constructor(private readonly options: LockoutOptions) {
    this.now = options.now ?? Date.now;
    this.maxKeys = options.maxKeys ?? 100_000;
  }

  /** Milliseconds the client id stays locked out, or 0. */
  lockedFor(clientId: string): number {
    const entry = this.current(clientId);
    return entry ? Math.max(0, entry.lockedUntil - this.now()) : 0;
  }

  /** Records a failure; returns how long to hold the answer back (the slow-down). */
  failed(clientId: string): number {
    const now = this.now();
    const entry = this.current(clientId) ?? { count: 0, last: now, lockedUntil: 0 };
    entry.count += 1;
    entry.last = now;
    if (entry.count >= this.options.threshold) entry.lockedUntil = now + this.options.durationMs;
    this.entries.delete(clientId);
    if (this.entries.size >= this.maxKeys) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(clientId, entry);
    return Math.min(MAX_DELAY_MS, this.options.delayMs * entry.count);
  }

  succeeded(clientId: string): void {
    this.entries.delete(clientId);
  }

  /** The entry if it still matters: locked now, or failures within the period. */
  private current(clientId: string): Failures | undefined {
    const entry = this.entries.get(clientId);
    if (!entry) return undefined;
    const now = this.now();
    const expired =
      entry.lockedUntil > 0 ? entry.lockedUntil <= now : now - entry.last > this.options.durationMs;
    if (expired) {
      this.entries.delete(clientId);
      return undefined;
    }
    return entry;
  }
}
