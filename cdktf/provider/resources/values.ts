// Attribute helpers shared by the resources: semantic equality and validation for the value kinds the
// admin API normalises (Go durations, JSON documents, scope strings).
import { parseDuration } from '../../../sdk/duration.js';
import type { Attribute } from '../framework/schema.js';
import type { Value } from '../protocol/values.js';

const durationNs = (v: Value): bigint | undefined => {
  if (typeof v !== 'string') return undefined;
  try {
    return parseDuration(v);
  } catch {
    return undefined;
  }
};

/** `1h`, `60m` and `1h0m0s` are the same lifespan (Go's time.ParseDuration, as Hydra reads it). */
export const sameDuration = (a: Value, b: Value): boolean => {
  const x = durationNs(a);
  return x !== undefined && x === durationNs(b);
};

export const validDuration = (v: Value): string | undefined => {
  if (typeof v !== 'string') return 'must be a string';
  try {
    if (parseDuration(v) < 0n)
      return `${JSON.stringify(v)} is negative; a lifespan must be a positive Go duration such as "1h" or "90m"`;
  } catch (err) {
    return `${JSON.stringify(v)} is not a Go duration (${(err as Error).message}); examples: "1h", "90m", "3600s"`;
  }
  return undefined;
};

const canonicalJson = (v: unknown): string => {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
};

const parseJson = (v: Value): unknown => {
  if (typeof v !== 'string') return undefined;
  try {
    return JSON.parse(v);
  } catch {
    return undefined;
  }
};

/**
 * JSON documents equal as values: key order and whitespace do not matter. Null counts as `{}`, which is how
 * the server reports an object that was never set.
 */
export const sameJson = (a: Value, b: Value): boolean => {
  const read = (v: Value) => (v === null ? {} : parseJson(v));
  const x = read(a);
  return x !== undefined && canonicalJson(x) === canonicalJson(read(b));
};

export const jsonObject = (v: Value): string | undefined => {
  const parsed = parseJson(v);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return 'must be a JSON object, for example jsonencode({ team = "payments" })';
  }
  return undefined;
};

export const oneOf =
  (...allowed: string[]) =>
  (v: Value): string | undefined =>
    typeof v === 'string' && allowed.includes(v)
      ? undefined
      : `${JSON.stringify(v)} is not allowed; use one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`;

export const str = (description: string, extra: Partial<Attribute> = {}): Attribute => ({
  type: 'string',
  optional: true,
  description,
  ...extra,
});
