// Token-bucket rate limits in front of the endpoints that do work per request for anyone who asks (the
// contract's `x-tollgate-rate-limit`: the token endpoint, revocation and introspection). Per address (the TCP
// peer, or the caller behind a trusted proxy: see source-address.ts) and per client (the client id the request claims, read before authentication so a flood
// costs no hashing; for introspection, the caller's credentials), keyed by a digest of it (map-keys.ts). 429
// with Retry-After, written by the one error writer. Only those operations get the hook: every other request
// never runs it.
import { digestKey } from '../cache/map-keys.js';
import { TooManyRequests } from '../oauth2/errors.js';
import type { Form } from '../oauth2/form.js';
import { claimedClientId } from '../protection/throttled-authentication.js';
import type { TokenBuckets } from '../protection/token-bucket.js';
import type { Operation } from './contract.js';
import type { Hook } from './exchange.js';
import { exchangeSource, peerAddress, type SourceAddress } from './source-address.js';

export interface RateLimits {
  perClient?: TokenBuckets;
  perAddress?: TokenBuckets;
}

/** The hook for an operation the contract marks `x-tollgate-rate-limit`; none for the others. */
export function rateLimit(
  limits: RateLimits,
  sourceAddress: SourceAddress = peerAddress,
): (operation: Operation) => Hook[] {
  return (operation) => (operation.rateLimit ? [limit(operation, limits, sourceAddress)] : []);
}

function limit(operation: Operation, limits: RateLimits, sourceAddress: SourceAddress): Hook {
  return (req, res, next) => {
    // Counted under its operation even when refused before the handler runs.
    res.locals.operationId = operation.operationId;
    if (limits.perAddress) {
      const wait = limits.perAddress.take(exchangeSource(sourceAddress, req, res));
      if (wait > 0) return next(refused(wait, 'this address'));
    }
    if (limits.perClient) {
      const body = (req.body !== null && typeof req.body === 'object' ? req.body : {}) as Form;
      const clientId =
        operation.rateLimit === 'caller'
          ? introspectionCaller(req.headers.authorization)
          : claimedClientId({ authorization: req.headers.authorization, form: body });
      if (clientId !== '') {
        const wait = limits.perClient.take(digestKey(clientId));
        if (wait > 0) return next(refused(wait, 'this client'));
      }
    }
    next();
  };
}

const refused = (waitMs: number, who: string) =>
  new TooManyRequests(Math.max(1, Math.ceil(waitMs / 1000)), `The rate limit for ${who} is exceeded.`);

/**
 * Introspection authenticates no client (Hydra), so its "client" is whoever the caller says it is: the Basic
 * user name some resource servers send (RFC 7662 §2.1), or a digest of its bearer token (the admin token when
 * admin authentication is on). A caller that sends neither is limited per address only.
 */
function introspectionCaller(authorization: string | undefined): string {
  const bearer = /^Bearer +(\S+)/i.exec(authorization ?? '');
  if (bearer) return `bearer:${bearer[1]!}`;
  return claimedClientId({ authorization, form: {} });
}
