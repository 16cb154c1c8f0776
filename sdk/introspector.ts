// Token introspection for resource servers (RFC 7662) with a small cache in front, so a service does not ask the
// admin API on every request. An answer is kept no longer than the token's `exp` nor the configured TTL; a failed
// introspection is never kept.
import { type AdminClient, createAdminClient, type HeadersInput } from './client.js';
import type { components } from './generated/openapi.js';

export type IntrospectedToken = components['schemas']['introspectedOAuth2Token'];

export interface IntrospectorOptions {
  /** Base URL of the admin API, e.g. `http://127.0.0.1:4445`. */
  adminUrl: string;
  /** Longest time an answer is reused, in milliseconds (default 30 000; 0 turns caching off). */
  cacheTtl?: number;
  /**
   * How long an `active: false` answer is reused, in milliseconds (default 5 000, never more than cacheTtl).
   * A short time shields the admin API from a client that retries a bad token in a loop, while a fresh token
   * can never be refused for long; 0 turns it off.
   */
  inactiveCacheTtl?: number;
  /** Most answers kept; the oldest is dropped first (default 10 000). */
  maxEntries?: number;
  /** Bearer token for an admin API behind authentication. */
  token?: string;
  headers?: HeadersInput;
  fetch?: typeof fetch;
}

export interface IntrospectOptions {
  /** Space-separated scopes the token must hold, else it is reported inactive (checked by the server). */
  scope?: string;
}

export interface Introspector {
  /** The introspection answer for a token, from the cache when a fresh one is there. Errors are thrown. */
  introspect(token: string, options?: IntrospectOptions): Promise<IntrospectedToken>;
  /** Forgets the cached answers for one token, or every answer. */
  forget(token?: string): void;
}

interface Entry {
  answer: IntrospectedToken;
  /** Epoch ms after which the answer is not used. */
  until: number;
}

export function introspector(options: IntrospectorOptions): Introspector {
  const admin: AdminClient = createAdminClient({
    baseUrl: options.adminUrl,
    token: options.token,
    headers: options.headers,
    fetch: options.fetch,
  });
  const ttl = options.cacheTtl ?? 30_000;
  const inactiveTtl = Math.min(options.inactiveCacheTtl ?? 5_000, ttl);
  const maxEntries = options.maxEntries ?? 10_000;
  const cache = new Map<string, Entry>();
  const inFlight = new Map<string, Promise<IntrospectedToken>>();
  const keyOf = (token: string, scope: string | undefined) => `${scope ?? ''}\n${token}`;

  async function ask(token: string, scope: string | undefined, key: string): Promise<IntrospectedToken> {
    const { data } = await admin.POST('/admin/oauth2/introspect', { body: { token, scope } });
    const now = Date.now();
    let until = now + (data.active ? ttl : inactiveTtl);
    if (data.active && typeof data.exp === 'number') until = Math.min(until, data.exp * 1000);
    if (until > now) {
      cache.delete(key);
      cache.set(key, { answer: data, until });
      if (cache.size > maxEntries) cache.delete(cache.keys().next().value!);
    }
    return data;
  }

  return {
    async introspect(token, { scope } = {}) {
      const key = keyOf(token, scope);
      const hit = cache.get(key);
      if (hit && Date.now() < hit.until) return hit.answer;
      if (hit) cache.delete(key);
      // Concurrent requests with the same token share one introspection call.
      let pending = inFlight.get(key);
      if (!pending) {
        pending = ask(token, scope, key).finally(() => inFlight.delete(key));
        inFlight.set(key, pending);
      }
      return pending;
    },
    forget(token) {
      if (token === undefined) return cache.clear();
      for (const key of cache.keys()) if (key.slice(key.indexOf('\n') + 1) === token) cache.delete(key);
    },
  };
}

/** The token of an `Authorization: Bearer …` header (RFC 6750 §2.1), or undefined. */
export function bearerToken(authorization: string | null | undefined): string | undefined {
  const match = /^Bearer[ ]+([A-Za-z0-9\-._~+/]+=*)[ ]*$/i.exec(authorization ?? '');
  return match?.[1];
}
