// The parts of Go's net/url that Hydra's client validator relies on (`url.Parse`, `url.ParseRequestURI`,
// `Hostname()`, `Port()`). WHATWG `new URL()` accepts and rewrites far more (it adds a trailing "/", lowercases
// hosts, resolves "..", accepts spaces), so it would accept redirect URIs Hydra rejects and the reverse.

export class GoUrlError extends Error {
  override readonly name = 'GoUrlError';
}

export interface GoUrl {
  /** Lowercased, as Go does. Empty for a bare absolute path. */
  scheme: string;
  /** The part after "scheme:" when it does not start with "/" (e.g. "mailto:x"). */
  opaque: string;
  /** Userinfo as written, or null when there was no "@". */
  user: string | null;
  /** host[:port] as written (still percent-encoded). */
  host: string;
  path: string;
  rawQuery: string;
  fragment: string;
}

const quote = (s: string): string => JSON.stringify(s);

const isAlpha = (c: string) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
const isDigit = (c: string) => c >= '0' && c <= '9';
const isHex = (c: string | undefined) => c !== undefined && /^[0-9a-fA-F]$/.test(c);

// Characters Go leaves unescaped in a host (shouldEscape with encodeHost).
const HOST_OK = /^[A-Za-z0-9\-_.~!$&'()*+,;=:[\]<>"]$/;
// Characters allowed in userinfo (validUserinfo).
const USERINFO_OK = /^[A-Za-z0-9\-._:~!$&'()*+,;=%@]*$/;

function getScheme(raw: string): { scheme: string; rest: string } {
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] as string;
    if (isAlpha(c)) continue;
    if (isDigit(c) || c === '+' || c === '-' || c === '.') {
      if (i === 0) return { scheme: '', rest: raw };
      continue;
    }
    if (c === ':') {
      if (i === 0) throw new GoUrlError('missing protocol scheme');
      return { scheme: raw.slice(0, i), rest: raw.slice(i + 1) };
    }
    return { scheme: '', rest: raw }; // an invalid character: there is no scheme
  }
  return { scheme: '', rest: raw };
}

/** Go's `unescape` check: every "%" starts a two-digit hex escape. Hosts have extra rules. */
function checkEscapes(s: string, host: boolean): void {
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c === '%') {
      const esc = s.slice(i, i + 3);
      if (!isHex(s[i + 1]) || !isHex(s[i + 2])) throw new GoUrlError(`invalid URL escape ${quote(esc)}`);
      // In a host only escapes of non-ASCII bytes and "%25" are allowed.
      if (host && Number.parseInt(s[i + 1] as string, 16) < 8 && esc !== '%25') {
        throw new GoUrlError(`invalid URL escape ${quote(esc)}`);
      }
      i += 2;
    } else if (host && c.charCodeAt(0) < 0x80 && !HOST_OK.test(c)) {
      throw new GoUrlError(`invalid character ${quote(c)} in host name`);
    }
  }
}

const validOptionalPort = (colonPort: string) => colonPort === '' || /^:[0-9]*$/.test(colonPort);

function parseHost(host: string): string {
  if (host.startsWith('[')) {
    const i = host.lastIndexOf(']');
    if (i < 0) throw new GoUrlError("missing ']' in host");
    const colonPort = host.slice(i + 1);
    if (!validOptionalPort(colonPort)) throw new GoUrlError(`invalid port ${quote(colonPort)} after host`);
  } else {
    const i = host.lastIndexOf(':');
    if (i !== -1) {
      const colonPort = host.slice(i);
      if (!validOptionalPort(colonPort)) throw new GoUrlError(`invalid port ${quote(colonPort)} after host`);
    }
  }
  checkEscapes(host, true);
  return host;
}

function parse(raw: string, viaRequest: boolean): GoUrl {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: Go rejects exactly these bytes.
  if (/[\x00-\x1f\x7f]/.test(raw)) throw new GoUrlError('net/url: invalid control character in URL');
  if (raw === '' && viaRequest) throw new GoUrlError('empty url');
  const url: GoUrl = { scheme: '', opaque: '', user: null, host: '', path: '', rawQuery: '', fragment: '' };
  if (raw === '*') return { ...url, path: '*' };

  const { scheme, rest: afterScheme } = getScheme(raw);
  url.scheme = scheme.toLowerCase();
  let rest = afterScheme;
  const q = rest.indexOf('?');
  if (q >= 0) {
    url.rawQuery = rest.slice(q + 1);
    rest = rest.slice(0, q);
  }

  if (!rest.startsWith('/')) {
    if (url.scheme !== '') return { ...url, opaque: rest };
    if (viaRequest) throw new GoUrlError('invalid URI for request');
    const segment = rest.split('/', 1)[0] ?? '';
    if (segment.includes(':')) throw new GoUrlError('first path segment in URL cannot contain colon');
  }

  if ((url.scheme !== '' || (!viaRequest && !rest.startsWith('///'))) && rest.startsWith('//')) {
    let authority = rest.slice(2);
    rest = '';
    const slash = authority.indexOf('/');
    if (slash >= 0) {
      rest = authority.slice(slash);
      authority = authority.slice(0, slash);
    }
    const at = authority.lastIndexOf('@');
    url.host = parseHost(at < 0 ? authority : authority.slice(at + 1));
    if (at >= 0) {
      const userinfo = authority.slice(0, at);
      if (!USERINFO_OK.test(userinfo)) throw new GoUrlError('net/url: invalid userinfo');
      checkEscapes(userinfo, false);
      url.user = userinfo;
    }
  }
  checkEscapes(rest, false);
  url.path = rest;
  return url;
}

const wrap = (raw: string, fn: () => GoUrl): GoUrl => {
  try {
    return fn();
  } catch (err) {
    if (err instanceof GoUrlError) throw new GoUrlError(`parse ${quote(raw)}: ${err.message}`);
    throw err;
  }
};

/** Go's `url.ParseRequestURI`: an absolute URI or an absolute path; "#" is not special. */
export function parseRequestUri(raw: string): GoUrl {
  return wrap(raw, () => parse(raw, true));
}

/** Go's `url.Parse`: any URI reference, with an optional "#fragment". */
export function parseUrl(raw: string): GoUrl {
  const hash = raw.indexOf('#');
  const beforeHash = hash < 0 ? raw : raw.slice(0, hash);
  const url = wrap(beforeHash, () => parse(beforeHash, false));
  if (hash >= 0) {
    const fragment = raw.slice(hash + 1);
    wrap(raw, () => {
      checkEscapes(fragment, false);
      return url;
    });
    url.fragment = fragment;
  }
  return url;
}

function splitHostPort(host: string): { hostname: string; port: string } {
  let hostname = host;
  let port = '';
  const colon = host.lastIndexOf(':');
  if (colon !== -1 && validOptionalPort(host.slice(colon))) {
    hostname = host.slice(0, colon);
    port = host.slice(colon + 1);
  }
  if (hostname.startsWith('[') && hostname.endsWith(']')) hostname = hostname.slice(1, -1);
  return { hostname, port };
}

/** Go's `URL.Hostname()`: the host without port and IPv6 brackets. */
export const hostname = (url: GoUrl): string => splitHostPort(url.host).hostname;

/** Go's `URL.Port()`: the digits after the host's last ":", or "". */
export const port = (url: GoUrl): string => splitHostPort(url.host).port;

/** Go's `URL.String()` for a URL that only has scheme, userinfo and host (a CORS origin). */
export function formatOrigin(url: GoUrl): string {
  // Go re-escapes the host, which turns non-ASCII characters into UTF-8 percent escapes.
  const host = Array.from(url.host, (ch) =>
    ch.charCodeAt(0) < 0x80
      ? ch
      : Array.from(
          new TextEncoder().encode(ch),
          (b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`,
        ).join(''),
  ).join('');
  return `${url.scheme}://${url.user !== null ? `${url.user}@` : ''}${host}`;
}
