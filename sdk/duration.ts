// Go's time.Duration, as Hydra reads and writes the client lifespan fields (`x.NullDuration`: input goes through
// `time.ParseDuration`, output is `Duration.String()`, storage is int64 nanoseconds).
//
// Durations are bigint nanoseconds: a JS number cannot hold every int64, and lifespans must round-trip exactly.

/** Thrown for any string `time.ParseDuration` rejects; the message is Go's. */
export class DurationError extends Error {
  override readonly name = 'DurationError';
}

const NANOSECOND = 1n;
const MICROSECOND = 1000n * NANOSECOND;
const MILLISECOND = 1000n * MICROSECOND;
const SECOND = 1000n * MILLISECOND;
const MINUTE = 60n * SECOND;
const HOUR = 60n * MINUTE;

// Go's unitMap, including both micro signs (U+00B5 and U+03BC).
const UNITS: ReadonlyMap<string, bigint> = new Map([
  ['ns', NANOSECOND],
  ['us', MICROSECOND],
  ['\u00b5s', MICROSECOND],
  ['\u03bcs', MICROSECOND],
  ['ms', MILLISECOND],
  ['s', SECOND],
  ['m', MINUTE],
  ['h', HOUR],
]);

const INT64_MAX = (1n << 63n) - 1n;
const TWO_63 = 1n << 63n;

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

const quote = (s: string): string => JSON.stringify(s);

/**
 * Parses a Go duration string ("300ms", "-1.5h", "2h45m", "0") into nanoseconds, with Go's grammar
 * `[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+`, its overflow checks and its error messages.
 */
export function parseDuration(input: string): bigint {
  const invalid = () => new DurationError(`time: invalid duration ${quote(input)}`);
  let s = input;
  let neg = false;
  if (s !== '' && (s[0] === '-' || s[0] === '+')) {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  // Go special-cases a bare zero, which needs no unit.
  if (s === '0') return 0n;
  if (s === '') throw invalid();

  let total = 0n;
  while (s !== '') {
    if (!(s[0] === '.' || isDigit(s[0]))) throw invalid();

    // Integer part. Go fails on overflow here (leadingInt).
    let i = 0;
    let v = 0n;
    while (isDigit(s[i])) {
      v = v * 10n + BigInt(s.charCodeAt(i) - 48);
      if (v > TWO_63) throw invalid();
      i++;
    }
    const pre = i > 0;
    s = s.slice(i);

    // Fraction: Go keeps consuming digits after it stops accumulating (leadingFraction), and scales in float64.
    let f = 0n;
    let scale = 1;
    let post = false;
    if (s[0] === '.') {
      s = s.slice(1);
      let j = 0;
      let overflow = false;
      while (isDigit(s[j])) {
        if (!overflow) {
          if (f > INT64_MAX / 10n) overflow = true;
          else {
            const y = f * 10n + BigInt(s.charCodeAt(j) - 48);
            if (y > TWO_63) overflow = true;
            else {
              f = y;
              scale *= 10;
            }
          }
        }
        j++;
      }
      post = j > 0;
      s = s.slice(j);
    }
    if (!pre && !post) throw invalid(); // "." or ".s"

    let k = 0;
    while (k < s.length && s[k] !== '.' && !isDigit(s[k])) k++;
    if (k === 0) throw new DurationError(`time: missing unit in duration ${quote(input)}`);
    const name = s.slice(0, k);
    s = s.slice(k);
    const unit = UNITS.get(name);
    if (unit === undefined)
      throw new DurationError(`time: unknown unit ${quote(name)} in duration ${quote(input)}`);

    if (v > TWO_63 / unit) throw invalid();
    v *= unit;
    if (f > 0n) {
      // float64(f) * (float64(unit) / scale), truncated: the same IEEE operations Go performs.
      v += BigInt(Math.trunc(Number(f) * (Number(unit) / scale)));
      if (v > TWO_63) throw invalid();
    }
    total += v;
    if (total > TWO_63) throw invalid();
  }
  if (neg) return -total;
  if (total > INT64_MAX) throw invalid();
  return total;
}

/** A Go duration string in milliseconds, as a JS number (sub-millisecond parts kept as a fraction). */
export function parseDurationMs(input: string): number {
  return Number(parseDuration(input)) / 1e6;
}

/** Writes `v / 10**prec` as a fraction without trailing zeros (and without the point when it is zero). */
function fraction(v: bigint, prec: number): { digits: string; rest: bigint } {
  let digits = '';
  let print = false;
  for (let i = 0; i < prec; i++) {
    const d = v % 10n;
    print ||= d !== 0n;
    if (print) digits = d.toString() + digits;
    v /= 10n;
  }
  return { digits: print ? `.${digits}` : '', rest: v };
}

/**
 * Go's `Duration.String()`: "1h0m0s", "1m30s", "1.5s", "500ms", "1µs" (U+00B5), "0s". Leading zero units are
 * omitted, so one second prints as "1s" and one hour as "1h0m0s".
 */
export function formatDuration(ns: bigint): string {
  if (ns < -TWO_63 || ns > INT64_MAX) throw new RangeError('duration out of int64 range');
  const neg = ns < 0n;
  let u = neg ? -ns : ns;
  let out: string;
  if (u < SECOND) {
    if (u === 0n) return '0s';
    let prec: number;
    let unit: string;
    if (u < MICROSECOND) {
      prec = 0;
      unit = 'ns';
    } else if (u < MILLISECOND) {
      prec = 3;
      unit = '\u00b5s';
    } else {
      prec = 6;
      unit = 'ms';
    }
    const { digits, rest } = fraction(u, prec);
    out = `${rest}${digits}${unit}`;
  } else {
    const { digits, rest } = fraction(u, 9);
    u = rest; // whole seconds
    out = `${u % 60n}${digits}s`;
    u /= 60n; // whole minutes
    if (u > 0n) {
      out = `${u % 60n}m${out}`;
      u /= 60n; // whole hours
      if (u > 0n) out = `${u}h${out}`;
    }
  }
  return neg ? `-${out}` : out;
}

/** Parses and re-prints a duration in Go's canonical form ("90m" → "1h30m0s"). */
export function canonicalDuration(input: string): string {
  return formatDuration(parseDuration(input));
}
