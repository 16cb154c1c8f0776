// Token-bucket rate limits in front of the endpoints that do work per request for anyone who asks: the token
// endpoint, revocation and introspection. Per address (the TCP peer; put a proxy's limits in the proxy) and per
// client (the client id the request claims, read before authentication so a flood costs no hashing). 429 with
// Retry-After, written by the one error writer.
import type { NextFunction, Request, Response } from 'express';
import { TooManyRequests } from '../oauth2/errors.js';
import type { Form } from '../oauth2/form.js';
import { claimedClientId } from '../protection/throttled-authentication.js';
import type { TokenBuckets } from '../protection/token-bucket.js';

export interface RateLimits {
  perClient?: TokenBuckets;
  perAddress?: TokenBuckets;
}

/** The limited paths (with the admin alias of introspection) and their operations, for the metrics label. */
const LIMITED: Record<string, string> = {
  '/oauth2/token': 'oauth2TokenExchange',
  '/oauth2/revoke': 'revokeOAuth2Token',
  '/admin/oauth2/introspect': 'introspectOAuth2Token',
  '/oauth2/introspect': 'introspectOAuth2Token',
};

export function rateLimit(limits: RateLimits) {
  return (req: Request, res: Response, next: NextFunction) => {
    // The router ignores a trailing slash (strict: false), so the limit must too.
    const operationId = req.method === 'POST' ? LIMITED[req.path.replace(/(.)\/+$/, '$1')] : undefined;
    if (!operationId) return next();
    res.locals.operationId = operationId;
    if (limits.perAddress) {
      const wait = limits.perAddress.take(req.socket.remoteAddress ?? '');
      if (wait > 0) return next(refused(wait, 'this address'));
    }
    // Introspection authenticates no client (Hydra); only the address limit applies to it.
    if (limits.perClient && operationId !== 'introspectOAuth2Token') {
      const body: Form = req.body !== null && typeof req.body === 'object' ? req.body : {};
      const clientId = claimedClientId({ authorization: req.headers.authorization, form: body });
      if (clientId !== '') {
        const wait = limits.perClient.take(clientId);
        if (wait > 0) return next(refused(wait, 'this client'));
      }
    }
    next();
  };
}

const refused = (waitMs: number, who: string) =>
  new TooManyRequests(Math.max(1, Math.ceil(waitMs / 1000)), `The rate limit for ${who} is exceeded.`);
