// A client's public keys from its `jwks_uri` (OpenID Connect Registration §2), for private_key_jwt. Fetched
// through the SSRF-guarded fetch and cached per URL; fosite's JWKS fetcher refetches once when a `kid` is not
// found, which would let anyone make this server fetch on every request by naming an unknown kid, so a forced
// refetch happens at most once per `refetchIntervalMs` per URL (the first miss after a rotation still refetches
// at once), and a failed fetch is remembered as long.
import { OutboundError, type SafeFetch } from '../net/safe-fetch.js';
import { InvalidClient } from './errors.js';

export interface ClientJwksOptions {
  fetch: SafeFetch;
  /** How long a fetched set is used without asking again. */
  ttlMs?: number;
  /** The shortest time between two fetches of one URL (forced refetches, and retries after a failure). */
  refetchIntervalMs?: number;
  timeoutMs?: number;
  maxBytes?: number;
  /** A set with more keys is refused. */
  maxKeys?: number;
  /** How many URLs are cached; the oldest entry goes first. */
  maxEntries?: number;
  now?: () => number;
}

export interface ClientJwks {
  /** The keys at `uri`; `refresh` asks for a fresh copy (a kid was not found), subject to the rate limit. */
  resolve(uri: string, refresh: boolean): Promise<Record<string, unknown>[]>;
}

interface Entry {
  fetchedAt: number;
  /** When a kid miss last forced a fetch. */
  forcedAt?: number;
  keys?: Record<string, unknown>[];
  error?: InvalidClient;
  inflight?: Promise<Record<string, unknown>[]>;
}

export const JWKS_DEFAULTS = {
  ttlMs: 5 * 60_000,
  refetchIntervalMs: 10_000,
  timeoutMs: 5_000,
  maxBytes: 256 * 1024,
  maxKeys: 100,
  maxEntries: 1000,
};

export function createClientJwks(options: ClientJwksOptions): ClientJwks {
  const o = { ...JWKS_DEFAULTS, ...options };
  const now = options.now ?? Date.now;
  const cache = new Map<string, Entry>();

  const fetchSet = async (uri: string): Promise<Record<string, unknown>[]> => {
    let res: Awaited<ReturnType<SafeFetch>>;
    try {
      res = await o.fetch(uri, {
        timeoutMs: o.timeoutMs,
        maxBytes: o.maxBytes,
        headers: { accept: 'application/json' },
      });
    } catch (err) {
      if (!(err instanceof OutboundError)) throw err;
      // Hydra's hint, with the reason (refused address, timeout, size) that says what to fix.
      throw new InvalidClient(
        `Unable to fetch JSON Web Keys from location '${uri}'. Check for typos or other network issues (${err.message}).`,
      );
    }
    if (res.status < 200 || res.status >= 300) {
      throw new InvalidClient(
        `Expected successful status code in range of 200 - 299 from location '${uri}' but received code ${res.status}.`,
      );
    }
    const keys = parseSet(res.body);
    if (!keys) {
      throw new InvalidClient(
        `Unable to decode JSON Web Keys from location '${uri}'. Please check for typos and if the URL returns valid JSON.`,
      );
    }
    if (keys.length > o.maxKeys) {
      throw new InvalidClient(
        `The JSON Web Key Set at location '${uri}' has ${keys.length} keys; at most ${o.maxKeys} are accepted.`,
      );
    }
    return keys;
  };

  const refetch = (uri: string, previous: Entry | undefined, forced: boolean) => {
    const at = now();
    const entry: Entry = { fetchedAt: at, forcedAt: forced ? at : previous?.forcedAt, keys: previous?.keys };
    entry.inflight = fetchSet(uri).then(
      (keys) => {
        entry.keys = keys;
        entry.error = undefined;
        entry.inflight = undefined;
        return keys;
      },
      (err: unknown) => {
        entry.inflight = undefined;
        if (err instanceof InvalidClient) {
          entry.keys = undefined;
          entry.error = err;
        } else cache.delete(uri);
        throw err;
      },
    );
    cache.delete(uri);
    cache.set(uri, entry);
    while (cache.size > o.maxEntries) cache.delete(cache.keys().next().value as string);
    return entry.inflight;
  };

  return {
    resolve(uri, refresh) {
      const entry = cache.get(uri);
      if (entry?.inflight) return entry.inflight;
      const t = now();
      if (entry?.error && t - entry.fetchedAt < o.refetchIntervalMs) return Promise.reject(entry.error);
      if (entry?.keys) {
        const fresh = t - entry.fetchedAt < o.ttlMs;
        const forcedRecently = entry.forcedAt !== undefined && t - entry.forcedAt < o.refetchIntervalMs;
        // A forced refetch within the interval answers what the last fetch gave.
        if (fresh && (!refresh || forcedRecently)) return Promise.resolve(entry.keys);
      }
      return refetch(uri, entry, refresh);
    },
  };
}

/** `{"keys": [objects]}`, or null. */
export function parseSet(body: Buffer | string): Record<string, unknown>[] | null {
  let doc: unknown;
  try {
    doc = JSON.parse(body.toString());
  } catch {
    return null;
  }
  if (typeof doc !== 'object' || doc === null || !Array.isArray((doc as { keys?: unknown }).keys))
    return null;
  const keys = (doc as { keys: unknown[] }).keys;
  if (!keys.every((k) => typeof k === 'object' && k !== null && !Array.isArray(k))) return null;
  return keys as Record<string, unknown>[];
}
