// The request's Cookie header as name → value (RFC 6265 §5.4: `name=value` pairs separated by `; `). The header
// is the client's to write, so the parser is bounded and never throws: a malformed pair is skipped.

/** More cookies than any flow sets (CSRF, legacy twins, session); the rest of a header is ignored. */
export const MAX_COOKIES = 64;
/** RFC 6265 §6.1 asks user agents to store at least 4096 bytes per cookie; a longer name or value is ignored. */
export const MAX_COOKIE_BYTES = 4096;

/**
 * Parses a Cookie header. Values are kept as sent (no percent-decoding: the server's own cookies are
 * base64url), without the optional double quotes of RFC 6265 §4.1.1. When a name repeats, the first value
 * wins: user agents send the cookie with the longest path first (§5.4 step 2). The object has no prototype,
 * so a cookie named `__proto__` is just a cookie.
 */
export function parseCookieHeader(header: string | undefined): Record<string, string> {
  const cookies: Record<string, string> = Object.create(null);
  if (!header) return cookies;
  let count = 0;
  let start = 0;
  while (start < header.length && count < MAX_COOKIES) {
    let end = header.indexOf(';', start);
    if (end === -1) end = header.length;
    const pair = header.slice(start, end);
    start = end + 1;
    const eq = pair.indexOf('=');
    if (eq === -1) continue;
    const name = pair.slice(0, eq).trim();
    let value = pair.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    if (name === '' || name in cookies) continue;
    if (Buffer.byteLength(name) > MAX_COOKIE_BYTES || Buffer.byteLength(value) > MAX_COOKIE_BYTES) continue;
    cookies[name] = value;
    count++;
  }
  return cookies;
}
