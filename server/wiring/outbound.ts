// The one SSRF-guarded fetch for URLs that clients register (jwks_uri, sector_identifier_uri, back-channel
// logout), configured by Hydra's `clients.http.*` keys.
import type { Config } from '../config.js';
import { createSafeFetch, type SafeFetch } from '../net/safe-fetch.js';

export function outboundFetch(config: Pick<Config, 'clientsHttp'>): SafeFetch {
  return createSafeFetch({
    allowPrivate: !config.clientsHttp.disallowPrivateIpRanges,
    exceptionUrls: config.clientsHttp.privateIpExceptionUrls,
  });
}
