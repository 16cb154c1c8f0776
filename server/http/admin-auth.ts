// Optional bearer-token authentication of the admin API (Hydra's admin API has none of its own). Off when no
// token is configured. Health checks stay open so orchestrators can probe without a secret; everything else,
// metrics included (they name client ids), needs `Authorization: Bearer <one of serve.admin.auth.tokens>`.
import { createHash, timingSafeEqual } from 'node:crypto';
import { ApiError } from '../oauth2/errors.js';
import type { Hook } from './exchange.js';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

export class AdminUnauthorized extends ApiError {
  constructor(description: string) {
    // herodot's ErrUnauthorized wording, as the rest of the admin API speaks herodot.
    super(401, 'The request could not be authorized', description);
  }
}

export function adminAuthentication(tokens: readonly string[]): Hook {
  // Compared as SHA-256 digests with timingSafeEqual over every configured token, so neither the length nor
  // the content of a token, nor which one matched, shows in the timing.
  const expected = tokens.map(digest);
  return (req, res, next) => {
    // Paths whose operations declare `security: []` in the contract (routes.ts).
    if (res.locals.route?.open) return next();
    const header = req.headers.authorization ?? '';
    const match = /^Bearer +(\S+) *$/i.exec(header);
    res.setHeader(
      'WWW-Authenticate',
      match ? 'Bearer realm="tollgate-admin", error="invalid_token"' : 'Bearer realm="tollgate-admin"',
    );
    if (!match) {
      return next(new AdminUnauthorized('The admin API requires an Authorization: Bearer token.'));
    }
    const presented = digest(match[1]!);
    let ok = false;
    for (const candidate of expected) ok = timingSafeEqual(candidate, presented) || ok;
    if (!ok) return next(new AdminUnauthorized('The bearer token is not valid for the admin API.'));
    res.removeHeader('WWW-Authenticate');
    next();
  };
}
