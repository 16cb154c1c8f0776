// The address a request comes from, for the failed-authentication lockout and the per-address rate limit. It is
// the TCP peer, unless the peer is one of `serve.trusted_proxies`: then X-Forwarded-For is read from the right
// (the entry the nearest proxy appended) leftwards, past every trusted proxy, and the first other address is
// the caller. Entries left of that one are whatever the caller chose to send, so they are never believed.
// Hydra has no such setting: it counts nothing per address.
import { BlockList, isIP } from 'node:net';
import { ownCopy } from '../cache/map-keys.js';
import type { HttpRequest } from './exchange.js';

export type SourceAddress = (req: Pick<HttpRequest, 'headers' | 'socket'>) => string;

/** The TCP peer: the source address without trusted proxies. */
export const peerAddress: SourceAddress = (req) => req.socket.remoteAddress ?? '';

/** `trustedProxies`: addresses and CIDR ranges (`10.0.0.0/8`, `::1`), as config.ts has checked them. */
export function sourceAddress(trustedProxies: readonly string[]): SourceAddress {
  if (trustedProxies.length === 0) return peerAddress;
  const trusted = new BlockList();
  for (const entry of trustedProxies) {
    const [address = '', prefix] = entry.split('/');
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) trusted.addAddress(address, family);
    else trusted.addSubnet(address, Number(prefix), family);
  }
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
