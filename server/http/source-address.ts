// The address a request comes from, for the failed-authentication lockout and the per-address rate limit. It is
// the TCP peer, unless the peer is one of `serve.trusted_proxies`: then X-Forwarded-For is read from the right
// (the entry the nearest proxy appended) leftwards, past every trusted proxy, and the first other address is
// the caller. Entries left of that one are whatever the caller chose to send, so they are never believed.
// Hydra has no such setting: it counts nothing per address.
import { BlockList, isIP } from 'node:net';
import { ownCopy } from '../cache/map-keys.js';
import type { ExchangeLocals, HttpRequest } from './exchange.js';

export type SourceAddress = (req: Pick<HttpRequest, 'headers' | 'socket'>) => string;

/** The TCP peer: the source address without trusted proxies. */
export const peerAddress: SourceAddress = (req) => req.socket.remoteAddress ?? '';

/**
 * The exchange's source address, worked out on first ask and kept in its locals: the per-address rate limit
 * and the handler share it, so X-Forwarded-For is read at most once per request, and never when nothing asks.
 */
export function exchangeSource(
  sourceAddress: SourceAddress,
  req: Pick<HttpRequest, 'headers' | 'socket'>,
  res: { readonly locals: ExchangeLocals },
): string {
  res.locals.source ??= sourceAddress(req);
  return res.locals.source;
}

/** A `serve.trusted_proxies` entry that is neither an address nor a CIDR range; `index` is its position. */
export class TrustedProxyError extends Error {
  constructor(
    readonly index: number,
    readonly entry: string,
  ) {
    super(`entry ${index} must be an IP address or a CIDR range, got ${JSON.stringify(entry)}`);
  }
}

/**
 * The one reader of `serve.trusted_proxies`: addresses (`10.0.0.7`, `::1`) and CIDR ranges (`10.0.0.0/8`,
 * `fd00::/8`) as a BlockList. config.ts calls it to validate the setting, so both read entries alike.
 */
export function trustedProxyList(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const [i, entry] of entries.entries()) {
    const [address = '', prefix, extra] = entry.split('/');
    const family = isIP(address);
    const bits = prefix === undefined ? 0 : /^\d{1,3}$/.test(prefix) ? Number(prefix) : -1;
    if (family === 0 || extra !== undefined || bits < 0 || bits > (family === 4 ? 32 : 128)) {
      throw new TrustedProxyError(i, entry);
    }
    const type = family === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(address, type);
    else list.addSubnet(address, bits, type);
  }
  return list;
}

/** `trustedProxies`: the `serve.trusted_proxies` entries (trustedProxyList). */
export function sourceAddress(trustedProxies: readonly string[]): SourceAddress {
  if (trustedProxies.length === 0) return peerAddress;
  const trusted = trustedProxyList(trustedProxies);
  // BlockList matches an IPv4-mapped IPv6 address (::ffff:127.0.0.1) against IPv4 rules too.
  const isTrusted = (address: string) => {
    const family = isIP(address);
    return family !== 0 && trusted.check(address, family === 6 ? 'ipv6' : 'ipv4');
  };
  return (req) => {
    let address = peerAddress(req);
    if (!isTrusted(address)) return address;
    const header = req.headers['x-forwarded-for'];
    if (typeof header !== 'string') return address;
    const hops = header.split(',');
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = (hops[i] as string).trim();
      // Not an address: the hop before it (a trusted proxy) is the last one known.
      if (isIP(hop) === 0) break;
      // A copy: a slice would keep the whole header alive in the tables keyed by it.
      address = ownCopy(hop);
      if (!isTrusted(hop)) break;
    }
    return address;
  };
}
