// Synth-time checks for the L2 props. Each check says what was given and what is allowed, and skips values
// that are tokens (known only at apply time). Rules follow what the server refuses (Hydra's client validator)
// plus mistakes the server would accept but that can never work (a public client_credentials client).
import { parseDuration } from '../../sdk/duration.js';
import { Token } from './core.js';

export type Problem = string | undefined;

const quote = (value: unknown): string => JSON.stringify(value);

const isToken = (value: unknown): boolean => Token.isUnresolved(value);

/** The elements of a list prop that are plain (not tokens), with their index. */
function plainElements(list: readonly string[] | undefined): [number, string][] {
  if (list === undefined || isToken(list)) return [];
  return list.flatMap((v, i): [number, string][] => (isToken(v) ? [] : [[i, v]]));
}

export function oneOf(prop: string, value: string | undefined, allowed: readonly string[]): Problem {
  if (value === undefined || isToken(value) || allowed.includes(value)) return undefined;
  return `${prop} is ${quote(value)}; allowed: ${allowed.join(', ')}`;
}

export function eachOneOf(
  prop: string,
  list: readonly string[] | undefined,
  allowed: readonly string[],
): Problem[] {
  return plainElements(list).map(([i, v]) => oneOf(`${prop}[${i}]`, v, allowed));
}

function parseUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

/** An absolute URL with one of the given schemes. */
export function url(
  prop: string,
  value: string | undefined,
  schemes: readonly string[] = ['https', 'http'],
): Problem {
  if (value === undefined || isToken(value)) return undefined;
  const u = parseUrl(value);
  const allowed = schemes.map((s) => `${s}://`).join(' or ');
  if (u === undefined)
    return `${prop} is ${quote(value)}, which is not an absolute URL; expected a ${allowed} URL`;
  if (!schemes.includes(u.protocol.slice(0, -1))) {
    return `${prop} is ${quote(value)}, whose scheme is ${quote(u.protocol.slice(0, -1))}; expected a ${allowed} URL`;
  }
  return undefined;
}

/** RFC 6749 §3.1.2: an absolute URI (any scheme, native apps use their own) without a fragment. */
export function redirectUris(prop: string, list: readonly string[] | undefined): Problem[] {
  return plainElements(list).map(([i, v]) => {
    if (parseUrl(v) === undefined) return `${prop}[${i}] is ${quote(v)}, which is not an absolute URI`;
    if (v.includes('#'))
      return `${prop}[${i}] is ${quote(v)}; a redirect URI must not contain a fragment (#)`;
    return undefined;
  });
}

/**
 * Hydra refuses a post-logout redirect URI whose scheme, host and port match none of the redirect URIs.
 * Only checked when every redirect URI is known at synth time.
 */
export function logoutRedirectsMatch(
  prop: string,
  list: readonly string[] | undefined,
  redirects: readonly string[] | undefined,
): Problem[] {
  if (redirects === undefined || isToken(redirects) || redirects.some(isToken)) return [];
  const hosts = redirects.flatMap((r) => {
    const u = parseUrl(r);
    return u === undefined ? [] : [`${u.protocol}//${u.host}`];
  });
  return plainElements(list).map(([i, v]) => {
    const u = parseUrl(v);
    if (u === undefined || hosts.includes(`${u.protocol}//${u.host}`)) return undefined;
    return `${prop}[${i}] is ${quote(v)}; it must have the scheme, host and port of one of redirectUris (${hosts.length === 0 ? 'none given' : hosts.join(', ')})`;
  });
}

/** CORS origins as Hydra accepts them: http(s), no user, no path, query or fragment. */
export function origins(prop: string, list: readonly string[] | undefined): Problem[] {
  return plainElements(list).map(([i, v]) => {
    const u = parseUrl(v);
    const p = `${prop}[${i}] is ${quote(v)}`;
    if (u === undefined || (u.protocol !== 'https:' && u.protocol !== 'http:')) {
      return `${p}; an origin is scheme://host[:port] with scheme http or https`;
    }
    if (u.username !== '' || u.password !== '' || u.pathname !== '/' || u.search !== '' || u.hash !== '') {
      return `${p}; an origin has no user, path, query or fragment (e.g. ${quote(u.origin)})`;
    }
    return undefined;
  });
}

/** Go's time.ParseDuration, as the server reads it (overflow included), without sign: a negative lifespan would
 * issue expired tokens. */
export function duration(prop: string, value: string | undefined): Problem {
  if (value === undefined || isToken(value)) return undefined;
  let reason = '';
  try {
    if (parseDuration(value) >= 0n) return undefined;
  } catch (err) {
    reason = ` (${(err as Error).message})`;
  }
  return `${prop} is ${quote(value)}; expected a non-negative Go duration such as "1h", "30m", "1h30m" or "90s" (units ns, us, ms, s, m, h) of at most 2562047h${reason}`;
}

// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ).
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

export function scopes(prop: string, list: readonly string[] | undefined): Problem[] {
  return plainElements(list).map(([i, v]) =>
    SCOPE_TOKEN.test(v)
      ? undefined
      : `${prop}[${i}] is ${quote(v)}; a scope is one or more printable ASCII characters without space, '"' or '\\' (RFC 6749 §3.3)`,
  );
}

/** Hydra refuses shorter secrets ("at least 6 characters", counted in bytes). */
export function secret(prop: string, value: string | undefined): Problem {
  if (value === undefined || isToken(value)) return undefined;
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes < 6) return `${prop} is ${bytes} bytes long; a client secret needs at least 6`;
  return undefined;
}

export function jsonObject(prop: string, value: unknown): Problem {
  if (value === undefined || isToken(value)) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return `${prop} is ${Array.isArray(value) ? 'an array' : typeof value}; expected a JSON object`;
  }
  return undefined;
}

export function notEmpty(prop: string, value: string | undefined): Problem {
  if (value === undefined || isToken(value) || value.trim() !== '') return undefined;
  return `${prop} is ${quote(value)}; leave it unset to let the server choose, or give a non-blank value`;
}

export const problems = (...found: (Problem | Problem[])[]): string[] =>
  found.flat().filter((p): p is string => p !== undefined);

const LOOPBACK_IPS = ['127.0.0.1', '[::1]'];
// Schemes that name no application: a browser would run, show or download what follows instead.
const NOT_APP_SCHEMES = ['javascript', 'data', 'file', 'blob', 'about', 'vbscript', 'ftp', 'ws', 'wss'];

/**
 * Redirect URIs of a public client (a single-page or native app), as RFC 8252 allows them: https (§7.2), a
 * private-use scheme of the app (§7.1), or http only on a loopback IP literal (§7.3; `localhost` is NOT
 * RECOMMENDED, §8.3, and the server refuses it), where any port matches at authorization time.
 */
export function appRedirectUris(prop: string, list: readonly string[] | undefined): Problem[] {
  return plainElements(list).map(([i, v]) => {
    const u = parseUrl(v);
    if (u === undefined) return undefined; // redirectUris() says it is not a URI
    const scheme = u.protocol.slice(0, -1);
    const p = `${prop}[${i}] is ${quote(v)}`;
    if (scheme === 'http' && !LOOPBACK_IPS.includes(u.hostname)) {
      return `${p}; a public client may use http only on a loopback IP (http://127.0.0.1 or http://[::1], any port; RFC 8252 §7.3), otherwise https or an app's own scheme such as com.example.app:/callback`;
    }
    if (NOT_APP_SCHEMES.includes(scheme)) {
      return `${p}, whose scheme ${quote(scheme)} names no app; expected https, http on a loopback IP, or an app's own scheme such as com.example.app:/callback (RFC 8252 §7.1)`;
    }
    return undefined;
  });
}
