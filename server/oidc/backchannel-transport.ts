// The POST of a back-channel logout until the SSRF-guarded fetch (server/net/safe-fetch.ts) is wired in: a
// bounded request (timeout, no redirects, the reply body discarded).
import type { OutboundPost } from './backchannel-logout.js';

export const fetchPost: OutboundPost = async (url, options) => {
  const res = await fetch(url, {
    method: options.method,
    headers: options.headers,
    body: options.body,
    redirect: 'manual',
    signal: AbortSignal.timeout(options.timeoutMs),
  });
  await res.body?.cancel();
  return { status: res.status };
};
