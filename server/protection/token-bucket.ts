// Token buckets keyed by a string (a digest of a client id, an address): `rate` tokens a second refill a bucket
// of `burst`; each request takes one. Memory is bounded: beyond `maxKeys` the least recently used bucket is
// dropped (it comes back full, which only ever errs on the side of letting a request through). A bucket that
// has refilled is the same as none, so each new key also drops the least recently used buckets that are full.

export interface BucketOptions {
  /** Tokens added per second. */
  rate: number;
  /** Size of the bucket: the requests allowed at once after a quiet period. */
  burst: number;
  maxKeys?: number;
  now?: () => number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();
  private readonly maxKeys: number;
  private readonly now: () => number;

  constructor(private readonly options: BucketOptions) {
    if (!(options.rate > 0) || !(options.burst >= 1))
      throw new RangeError('a bucket needs rate > 0 and burst ≥ 1');
    this.maxKeys = options.maxKeys ?? 100_000;
    this.now = options.now ?? Date.now;
  }

  /** Takes a token for `key`: 0 when the request may pass, else the milliseconds until one is available. */
  take(key: string): number {
    const { rate, burst } = this.options;
    const now = this.now();
    // What a bucket holds now, before the cap at `burst`.
    const refilled = (b: Bucket) => b.tokens + ((now - b.at) * rate) / 1000;
    let bucket = this.buckets.get(key);
    if (bucket) {
      // Re-inserted below, so Map order is least recently used first.
      this.buckets.delete(key);
      bucket.tokens = Math.min(burst, refilled(bucket));
      bucket.at = now;
    } else {
      bucket = { tokens: burst, at: now };
      for (const [oldest, old] of this.buckets) {
        if (this.buckets.size < this.maxKeys && refilled(old) < burst) break;
        this.buckets.delete(oldest);
      }
    }
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - bucket.tokens) * 1000) / rate);
  }

  get size(): number {
    return this.buckets.size;
  }
}
