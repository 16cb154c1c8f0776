// Outbound HTTP for URLs that clients register (jwks_uri, sector_identifier_uri, back-channel logout): a fetch
// that cannot be turned against the server's own network (SSRF). Hydra's equivalent is ory/x httpx with
// `clients.http.disallow_private_ip_ranges`; Tollgate refuses private destinations by default.
//
// - Only http and https.
// - The host is resolved once, and EVERY address it resolves to must be public; the connection then goes to
//   exactly those checked addresses (a custom `lookup`), so a DNS answer that changes between the check and the
//   connect (rebinding) cannot reach another address.
// - Redirects are not followed: a 3xx comes back to the caller as it is, and callers accept only 2xx. Following
//   one would need the same check again for a URL the client never registered; no caller needs it.
// - One timeout covers resolution, connection, headers and body; the body is capped, also when the server sends
//   no Content-Length. Compressed bodies are not asked for (no Accept-Encoding), so the cap is on real bytes.

import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';

export interface SafeFetchOptions {
  timeoutMs?: number;
  maxBytes?: number;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
}

export type SafeFetch = (
  url: string,
  options?: SafeFetchOptions,
) => Promise<{ status: number; headers: Record<string, string>; body: Buffer }>;

export interface SafeFetchPolicy {
  /** `clients.http.disallow_private_ip_ranges` false → true here. */
  allowPrivate: boolean;
  /** `clients.http.private_ip_exception_urls`: exact URLs that may be private. */
  exceptionUrls: string[];
}

export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_BYTES = 1024 * 1024;

/** Base of every outbound failure; the message names the URL and the reason, and is safe to show the client. */
export class OutboundError extends Error {}
/** The destination is not allowed (scheme, or a private, loopback, link-local… address). */
export class OutboundRefused extends OutboundError {}
export class OutboundTimeout extends OutboundError {}
export class OutboundTooLarge extends OutboundError {}
/** Resolution, connection or protocol failure. */
export class OutboundFailed extends OutboundError {}

/** A name's addresses; tests replace the system resolver to show which addresses are checked and used. */
export type Resolver = (host: string) => Promise<LookupAddress[]>;

export function createSafeFetch(policy: SafeFetchPolicy, resolver: Resolver = systemResolver): SafeFetch {
  const exceptions = new Set(policy.exceptionUrls.map(normalizeUrl));
  return async (rawUrl, options = {}) => {
    let url: URL;
    try {
      url = new URL(rawUrl);
    } catch {
      throw new OutboundRefused(`'${rawUrl}' is not an absolute URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new OutboundRefused(`'${rawUrl}' must use http or https`);
    }
    const checkAddresses = !policy.allowPrivate && !exceptions.has(url.href);
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;

    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    try {
      const addresses = await withAbort(resolve(url, rawUrl, resolver), controller.signal);
      if (checkAddresses && addresses.some((a) => !isPublicAddress(a.address))) {
        throw new OutboundRefused(
          `refused to fetch '${rawUrl}': its host is or resolves to a private, loopback or link-local address`,
        );
      }
      return await request(url, rawUrl, addresses, options, maxBytes, controller.signal);
    } catch (err) {
      if (timedOut) throw new OutboundTimeout(`fetching '${rawUrl}' took longer than ${timeoutMs} ms`);
      throw err;
    } finally {
      clearTimeout(timer);
    }
  };
}

/** The WHATWG form, so `HTTP://Host:80/x` and `http://host/x` name the same exception. */
function normalizeUrl(raw: string): string {
  try {
    return new URL(raw).href;
  } catch {
    return raw;
  }
}

/** The URL parser has already turned `2130706433`, `0x7f.1` and `017700000001` into dotted IPv4. */
async function resolve(url: URL, rawUrl: string, resolver: Resolver): Promise<LookupAddress[]> {
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const family = isIP(host);
  if (family) return [{ address: host, family }];
  const addresses = await resolver(host).catch(() => []);
  if (addresses.length === 0) throw new OutboundFailed(`could not resolve the host of '${rawUrl}'`);
  return addresses;
}

function systemResolver(host: string): Promise<LookupAddress[]> {
  return new Promise((ok, fail) => {
    const opts: LookupAllOptions = { all: true, verbatim: true };
    dnsLookup(host, opts, (err, addresses) => (err ? fail(err) : ok(addresses)));
  });
}

function withAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise((ok, fail) => {
    const onAbort = () => fail(new OutboundFailed('aborted'));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(ok, fail).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function request(
  url: URL,
  rawUrl: string,
  addresses: LookupAddress[],
  options: SafeFetchOptions,
  maxBytes: number,
  signal: AbortSignal,
): ReturnType<SafeFetch> {
  const body = options.body === undefined ? undefined : Buffer.from(options.body);
  const headers: Record<string, string> = { 'user-agent': 'Tollgate', ...options.headers };
  if (body) headers['content-length'] = String(body.length);
  // Only the addresses checked above: the socket never resolves the name a second time.
  const pinnedLookup = (
    _host: string,
    opts: { all?: boolean },
    cb: (err: Error | null, address: string | LookupAddress[], family?: number) => void,
  ) => {
    const [first] = addresses as [LookupAddress];
    if (opts.all) cb(null, addresses);
    else cb(null, first.address, first.family);
  };
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise((ok, fail) => {
    const req = transport.request(url, {
      method: options.method ?? 'GET',
      headers,
      lookup: pinnedLookup as never,
      signal,
      agent: false,
    });
    req.on('error', (err) => {
      if (err instanceof OutboundError) fail(err);
      else fail(new OutboundFailed(`could not fetch '${rawUrl}': ${describe(err)}`));
    });
    req.on('response', (res) => {
      const tooLarge = () =>
        new OutboundTooLarge(`the response from '${rawUrl}' is larger than ${maxBytes} bytes`);
      const declared = Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared > maxBytes) {
        req.destroy(tooLarge());
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) req.destroy(tooLarge());
        else chunks.push(chunk);
      });
      res.on('error', (err) => req.destroy(err));
      res.on('end', () => {
        if (size > maxBytes) return;
        const out: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers)) {
          if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
        }
        ok({ status: res.statusCode ?? 0, headers: out, body: Buffer.concat(chunks) });
      });
    });
    req.end(body);
  });
}

/** A short, stable reason without internal detail (no stack, no resolved address). */
function describe(err: Error & { code?: string }): string {
  switch (err.code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
      return 'connection reset';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'host unreachable';
    default:
      return err.code?.startsWith('ERR_TLS') || err.code?.includes('CERT') ? 'TLS failure' : 'request failed';
  }
}

// --- Address policy ---------------------------------------------------------------------------------------

type Range = [prefix: number[], bits: number];

/** IPv4 ranges that are not the public Internet (RFC 6890 special-purpose registry, plus multicast). */
const V4_BLOCKED: Range[] = [
  [[0], 8], // "this network", 0.0.0.0
  [[10], 8], // RFC 1918
  [[100, 64], 10], // CGNAT, RFC 6598
  [[127], 8], // loopback
  [[169, 254], 16], // link-local, cloud metadata (169.254.169.254)
  [[172, 16], 12], // RFC 1918
  [[192, 0, 0], 24], // IETF protocol assignments
  [[192, 0, 2], 24], // documentation
  [[192, 88, 99], 24], // 6to4 relay anycast
  [[192, 168], 16], // RFC 1918
  [[198, 18], 15], // benchmarking
  [[198, 51, 100], 24], // documentation
  [[203, 0, 113], 24], // documentation
  [[224], 4], // multicast
  [[240], 4], // reserved, broadcast
];

/** IPv6 ranges that are not the public Internet. Forms that embed an IPv4 address are checked by that address. */
const V6_BLOCKED: Range[] = [
  [[], 128], // :: unspecified (all zero)
  [[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], 128], // ::1 loopback
  [[0x01, 0x00, 0, 0, 0, 0, 0, 0], 64], // discard-only, RFC 6666
  [[0x20, 0x01, 0x0d, 0xb8], 32], // documentation
  [[0x00, 0x64, 0xff, 0x9b, 0x00, 0x01], 48], // local-use IPv4/IPv6 translation, RFC 8215
  [[0xfc], 7], // unique local
  [[0xfe, 0x80], 10], // link-local
  [[0xfe, 0xc0], 10], // site-local (deprecated)
  [[0xff], 8], // multicast
];

/** True when `address` (an IPv4 or IPv6 literal) is a public unicast address. */
export function isPublicAddress(address: string): boolean {
  const v4 = parseV4(address);
  if (v4) return !V4_BLOCKED.some((r) => inRange(v4, r));
  const v6 = parseV6(address);
  if (!v6) return false;
  if (V6_BLOCKED.some((r) => inRange(v6, r))) return false;
  const embedded = embeddedV4(v6);
  return embedded ? !V4_BLOCKED.some((r) => inRange(embedded, r)) : true;
}

/** The IPv4 address inside IPv4-mapped, IPv4-translated, IPv4-compatible, NAT64 (RFC 6052), 6to4 and Teredo addresses. */
function embeddedV4(b: number[]): number[] | undefined {
  const zeros = (from: number, to: number) => b.slice(from, to).every((x) => x === 0);
  if (zeros(0, 10) && b[10] === 0xff && b[11] === 0xff) return b.slice(12); // ::ffff:a.b.c.d
  if (zeros(0, 8) && b[8] === 0xff && b[9] === 0xff && zeros(10, 12)) return b.slice(12); // ::ffff:0:a.b.c.d, RFC 7915
  if (zeros(0, 12)) return b.slice(12); // ::a.b.c.d (deprecated compatible form)
  if (b[0] === 0x00 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && zeros(4, 12)) return b.slice(12);
  if (b[0] === 0x20 && b[1] === 0x02) return b.slice(2, 6); // 2002:aabb:ccdd::/48
  if (b[0] === 0x20 && b[1] === 0x01 && b[2] === 0 && b[3] === 0) return b.slice(12).map((x) => x ^ 0xff);
  return undefined;
}

function inRange(bytes: number[], [prefix, bits]: Range): boolean {
  for (let i = 0; i < bits; i += 8) {
    const want = prefix[i / 8] ?? 0;
    const mask = bits - i >= 8 ? 0xff : (0xff << (8 - (bits - i))) & 0xff;
    if (((bytes[i / 8] ?? 0) & mask) !== (want & mask)) return false;
  }
  return true;
}

function parseV4(s: string): number[] | undefined {
  if (isIP(s) !== 4) return undefined;
  return s.split('.').map(Number);
}

function parseV6(s: string): number[] | undefined {
  if (isIP(s) !== 6) return undefined;
  let text = s.replace(/%.*$/, '');
  // A trailing dotted IPv4 becomes two hex groups.
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const groups = (part: string) => (part ? part.split(':') : []);
  const gap = text.indexOf('::');
  const left = groups(gap < 0 ? text : text.slice(0, gap));
  const right = gap < 0 ? [] : groups(text.slice(gap + 2));
  const fill = gap < 0 ? [] : Array<string>(8 - left.length - right.length).fill('0');
  const all = [...left, ...fill, ...right].map((g) => Number.parseInt(g, 16));
  return all.flatMap((g) => [g >> 8, g & 0xff]);
}
