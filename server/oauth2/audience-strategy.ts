// Audience matching, as fosite's DefaultAudienceMatchingStrategy (fosite/audience_strategy.go): every requested
// audience must match one of the client's allowed audiences. Both are parsed with Go's `url.Parse` rules
// (WHATWG `URL` normalizes and rejects differently), then compared unescaped; scheme and host must be
// equal, and the path equal to the allowed path or below it at a `/` boundary, so `https://api/x` allows
// `https://api/x/y` but not `https://api/xy`. The query is ignored; everything is case-sensitive except the
// scheme, which Go lowercases.
//
// Two deliberate differences: fosite never compares the opaque part of a URI, so an allowed `urn:a` would also
// allow `urn:b`; Tollgate compares it. And fosite's prefix match lets `https://api/x/../admin` through for an
// allowed `https://api/x`, although a resource server that normalizes the path (RFC 3986 §5.2.4) reads it as
// `https://api/admin`; Tollgate refuses a requested audience with a `.` or `..` path segment, percent-encoded
// or not.
import { type GoUrl, GoUrlError, parseUrl } from '../clients/go-url.js';
import { InvalidRequest } from './errors.js';
import { type Form, formValue, formValues, splitSpaceList, trimSpace } from './form.js';

/** Throws `InvalidRequest` unless every requested audience is allowed. */
export type AudienceStrategy = (allowed: readonly string[], requested: readonly string[]) => void;

export const defaultAudienceStrategy: AudienceStrategy = (allowed, requested) => {
  for (const audience of requested) {
    const wanted = parseOrReject(audience, `Unable to parse requested audience '${audience}'.`);
    if (hasDotSegment(wanted.path)) {
      throw new InvalidRequest(
        `Requested audience '${audience}' has not been whitelisted by the OAuth 2.0 Client. Its path must not have '.' or '..' segments.`,
      );
    }
    let found = false;
    // fosite parses every allowed entry, so a malformed one fails the request even after a match.
    for (const entry of allowed) {
      const permitted = parseOrReject(entry, `Unable to parse whitelisted audience '${entry}'.`);
      if (audienceMatches(permitted, wanted)) found = true;
    }
    if (!found) {
      throw new InvalidRequest(
        `Requested audience '${audience}' has not been whitelisted by the OAuth 2.0 Client.`,
      );
    }
  }
};

/**
 * fosite's GetAudiences: `audience=a&audience=b` is taken as given (RFC 8693 §2.1), a single `audience=a b`
 * is split on spaces (RFC 6749 style). Empty entries are dropped.
 */
export function requestedAudiences(form: Form): string[] {
  const values = formValues(form, 'audience');
  if (values.length > 1) return values.map(trimSpace).filter((value) => value !== '');
  return splitSpaceList(formValue(form, 'audience'));
}

/** The parts of a Go `url.URL` that matching reads, unescaped to byte strings (one char per byte) as Go compares them. */
interface AudienceUrl {
  scheme: string;
  opaque: string;
  host: string;
  path: string;
}

function parseOrReject(value: string, hint: string): AudienceUrl {
  let url: GoUrl;
  try {
    url = parseUrl(value);
  } catch (error) {
    if (error instanceof GoUrlError) throw new InvalidRequest(hint);
    throw error;
  }
  return {
    scheme: url.scheme,
    opaque: url.opaque,
    host: unescapeToBytes(url.host),
    path: unescapeToBytes(url.path),
  };
}

/** Go's unescape result as a byte string; `parseUrl` has already rejected malformed escapes. */
function unescapeToBytes(value: string): string {
  return Buffer.from(value, 'utf8')
    .toString('latin1')
    .replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

/** On the unescaped path, so `%2e%2E` and `%2F` count as `..` and `/`. */
const hasDotSegment = (path: string) =>
  path.split('/').some((segment) => segment === '.' || segment === '..');

function audienceMatches(allowed: AudienceUrl, requested: AudienceUrl): boolean {
  if (requested.scheme !== allowed.scheme || requested.host !== allowed.host) return false;
  if (requested.opaque !== allowed.opaque) return false;
  const allowedPath = allowed.path.replace(/\/+$/, '');
  return (
    requested.path === allowed.path ||
    requested.path === allowedPath ||
    (requested.path.length > allowedPath.length &&
      requested.path.startsWith(allowedPath) &&
      requested.path[allowedPath.length] === '/')
  );
}
