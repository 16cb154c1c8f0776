// The redirect_uri of an authorization request (RFC 6749 §3.1.2, RFC 8252 §7.3), as fosite matches it
// (authorize_helper.go MatchRedirectURIWithClientRedirectURIs, isMatchingAsLoopback, IsValidRedirectURI,
// IsRedirectURISecure). URIs are parsed with Go's url.Parse rules (clients/go-url.ts): WHATWG `URL` would
// normalise case, ports and paths that Hydra compares as written.
import { isIPv4, isIPv6 } from 'node:net';
import { type GoUrl, hostname, parseRequestUri, parseUrl } from '../clients/go-url.js';
import { InvalidRequest } from '../oauth2/errors.js';

const MISMATCH =
  "The 'redirect_uri' parameter does not match any of the OAuth 2.0 Client's pre-registered redirect urls.";

/**
 * The redirect_uri failure of fosite's authorize_request_handler.go step 4. Its wire form is fosite's; `nearMiss` is Tollgate's addition for
 * the error page: which registered URI the request almost named, and how it differs.
 */
export class RedirectUriMismatch extends InvalidRequest {
  constructor(readonly nearMiss: string | undefined) {
    super(MISMATCH);
  }
}

function tryParse(raw: string): GoUrl | null {
  try {
    return parseUrl(raw);
  } catch {
    return null;
  }
}

/** Go's `net.ParseIP(host).IsLoopback()`: 127.0.0.0/8 and ::1 (also IPv4-mapped); never a name. */
export function isLoopbackIp(host: string): boolean {
  if (isIPv4(host)) return host.startsWith('127.');
  // net.ParseIP refuses a zone (`::1%eth0`), which Node's isIPv6 accepts and WHATWG URL cannot parse.
  if (!isIPv6(host) || host.includes('%')) return false;
  const canonical = new URL(`http://[${host}]/`).hostname;
  return canonical === '[::1]' || /^\[::ffff:7f[0-9a-f]{2}:/.test(canonical);
}

/** fosite IsValidRedirectURI: an absolute URI (a scheme, Go's ParseRequestURI accepts it) without a fragment. */
export function isValidRedirectUri(raw: string): boolean {
  const url = tryParse(raw);
  if (url === null || url.scheme === '' || url.fragment !== '' || raw.includes('#')) return false;
  try {
    parseRequestUri(raw);
    return true;
  } catch {
    return false;
  }
}

/** Go's url.URL.Path is unescaped; compare paths the same way (as byte strings). */
const unescapedPath = (path: string) =>
  Buffer.from(path, 'utf8')
    .toString('latin1')
    .replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));

/**
 * RFC 8252 §7.3: an http URI on a loopback IP literal matches a registered URI with the same host, path and
 * query on any port. The registered scheme is not compared (fosite), and `localhost` is not an IP literal.
 */
function matchesAsLoopback(requested: GoUrl, registeredRaw: string): boolean {
  const registered = tryParse(registeredRaw);
  if (registered === null) return false;
  const host = hostname(requested);
  return (
    requested.scheme === 'http' &&
    isLoopbackIp(host) &&
    hostname(registered) === host &&
    unescapedPath(registered.path) === unescapedPath(requested.path) &&
    registered.rawQuery === requested.rawQuery
  );
}

/**
 * fosite's authorize_request_handler.go step 4. `raw` is the request's redirect_uri ("" when absent). Returns the effective URI: the
 * registered one on an exact match, the requested one on a loopback match (its port is the client's), the
 * sole registered one when none was sent.
 */
export function resolveRedirectUri(
  raw: string,
  registered: readonly string[],
  options: { openid: boolean },
): { ok: true; uri: string } | { ok: false; error: InvalidRequest } {
  if (raw === '' && options.openid) {
    return {
      ok: false,
      error: new InvalidRequest("The 'redirect_uri' parameter is required when using OpenID Connect 1.0."),
    };
  }
  let chosen: string | undefined;
  if (raw === '') {
    if (registered.length === 1) chosen = registered[0];
  } else {
    const requested = tryParse(raw);
    if (requested !== null) {
      for (const candidate of registered) {
        if (candidate === raw) {
          chosen = candidate;
          break;
        }
        if (matchesAsLoopback(requested, candidate)) {
          chosen = raw;
          break;
        }
      }
    }
  }
  if (chosen === undefined || !isValidRedirectUri(chosen)) {
    return { ok: false, error: new RedirectUriMismatch(nearMiss(raw, registered)) };
  }
  return { ok: true, uri: chosen };
}

/** x/redirect_uri.go: http is only allowed for localhost, *.localhost and loopback IPs (any scheme in --dev). */
export function isRedirectUriSecure(uri: string, dev: boolean): boolean {
  if (dev) return true;
  const url = tryParse(uri);
  if (url === null) return false;
  if (url.scheme !== 'http') return true;
  const host = hostname(url);
  return host === 'localhost' || host.endsWith('.localhost') || isLoopbackIp(host);
}

export const INSECURE_REDIRECT_HINT =
  "Redirect URL is using an insecure protocol, http is only allowed for hosts with suffix 'localhost', for example: http://myapp.localhost/.";

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '::1']);

interface Pair {
  requested: GoUrl;
  registered: GoUrl;
  rawRequested: string;
  rawRegistered: string;
}

const hostnames = (p: Pair) => ({ host: hostname(p.requested), registeredHost: hostname(p.registered) });
const sameExceptHost = ({ requested: a, registered: b }: Pair) =>
  a.scheme === b.scheme && a.path === b.path && a.rawQuery === b.rawQuery;

/**
 * The usual near misses, most specific first: each says how a registered URI differs from the requested one,
 * or undefined when it is not that kind of miss.
 */
const NEAR_MISSES: ((pair: Pair) => string | undefined)[] = [
  (p) =>
    p.rawRequested.toLowerCase() === p.rawRegistered.toLowerCase()
      ? 'differs only in letter case, and redirect URIs are compared exactly'
      : undefined,
  ({ requested: a, registered: b }) =>
    a.scheme === b.scheme &&
    a.host === b.host &&
    a.rawQuery === b.rawQuery &&
    a.path.replace(/\/+$/, '') === b.path.replace(/\/+$/, '')
      ? 'differs only by a trailing slash'
      : undefined,
  (p) => {
    const { host, registeredHost } = hostnames(p);
    if (host !== registeredHost || p.requested.host === p.registered.host || !sameExceptHost(p))
      return undefined;
    return host === 'localhost'
      ? "differs only in the port; any port is accepted for http://127.0.0.1 and http://[::1] but not for 'localhost' (RFC 8252 §7.3)"
      : 'differs only in the port';
  },
  (p) => {
    const { host, registeredHost } = hostnames(p);
    if (host === registeredHost || !LOOPBACK_NAMES.has(host) || !LOOPBACK_NAMES.has(registeredHost))
      return undefined;
    if (!sameExceptHost(p)) return undefined;
    return `names the host '${registeredHost}' where the request has '${host}'; 'localhost', '127.0.0.1' and '[::1]' are different hosts here (any port is accepted only for http://127.0.0.1 and http://[::1], RFC 8252 §7.3)`;
  },
  ({ requested: a, registered: b }) =>
    a.scheme !== b.scheme && a.host === b.host && a.path === b.path
      ? `uses the scheme '${b.scheme}' where the request has '${a.scheme}'`
      : undefined,
  ({ requested: a, registered: b }) =>
    a.scheme === b.scheme && a.host === b.host && a.path === b.path ? 'differs only in the query' : undefined,
];

/**
 * Tollgate's answer to the commonest redirect_uri mistakes (localhost vs 127.0.0.1, a trailing slash, a
 * port): a sentence naming the registered URI the request almost matched, for the error page.
 */
export function nearMiss(raw: string, registered: readonly string[]): string | undefined {
  if (registered.length === 0) return 'The client has no registered redirect URIs.';
  if (raw === '') {
    return `The request has no redirect_uri and the client registered ${registered.length} redirect URIs, so the request must name one of them.`;
  }
  const requested = tryParse(raw);
  if (requested === null) return `The redirect_uri '${raw}' is not a valid URI.`;
  if (requested.fragment !== '' || raw.includes('#')) {
    return 'A redirect URI must not contain a fragment (#).';
  }
  const pairs = registered.flatMap((candidate) => {
    const parsed = tryParse(candidate);
    return parsed === null
      ? []
      : [{ requested, registered: parsed, rawRequested: raw, rawRegistered: candidate }];
  });
  for (const rule of NEAR_MISSES) {
    for (const pair of pairs) {
      const how = rule(pair);
      if (how !== undefined) return `The client registered '${pair.rawRegistered}', which ${how}.`;
    }
  }
  return registered.length === 1
    ? `The client's only registered redirect URI is '${registered[0]}'.`
    : undefined;
}
