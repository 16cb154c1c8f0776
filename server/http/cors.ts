// CORS on the public port, as Hydra answers it: rs/cors with `serve.public.cors.*` on every public route, and
// on the OAuth 2.0 endpoints a client's own `allowed_cors_origins` admit an Origin too (`x/oauth2cors/cors.go`;
// here the operations marked `x-tollgate-cors: client`: token, revocation, userinfo). Off unless enabled, and
// never mounted on the admin port.
//
// Two hooks: one before the body (answers preflights, allows globally allowed origins on every route, also on
// the fast path), and one for the client operations once the form is read, because the client may name itself
// in the body (`client_id`, client_secret_post).
import type { StoredClient } from '../clients/client.js';
import { parseBasicAuthorization, queryUnescape } from '../oauth2/client-authentication.js';
import { type Form, formValue } from '../oauth2/form.js';
import type { Introspector } from '../oauth2/introspection.js';
import { accessTokenFromRequest } from '../oidc/userinfo.js';
import type { Operation } from './contract.js';
import type { Hook, HttpRequest, HttpResponse } from './exchange.js';
import type { OperationHooks } from './operations.js';

/** `serve.public.cors.*` (config.ts CorsConfig). */
export interface CorsSettings {
  enabled: boolean;
  /** Globs; empty admits every origin (rs/cors). */
  allowedOrigins: readonly string[];
  allowedMethods: readonly string[];
  allowedHeaders: readonly string[];
  exposedHeaders: readonly string[];
  allowCredentials: boolean;
  /** 0 sends no Access-Control-Max-Age. */
  maxAgeSeconds: number;
}

export interface CorsHookOptions extends CorsSettings {
  /** The operations where the calling client's allowed_cors_origins count (`x-tollgate-cors: client`). */
  clientOperations: readonly Pick<Operation, 'operationId' | 'path'>[];
  clients: { get(id: string): Promise<StoredClient | null> };
  /** The client an access token was issued to; null when it is not an active token. */
  tokenClient(token: string): Promise<string | null>;
}

export interface CorsHooks {
  beforeBody: Hook[];
  operationHooks: OperationHooks;
}

/** `tokenClient` from the introspector, as Hydra introspects a bearer token to find its client. */
export function tokenClientOf(introspector: Introspector): (token: string) => Promise<string | null> {
  return async (token) => {
    const result = await introspector.introspect({ token });
    return result.active ? result.client_id : null;
  };
}

/**
 * gobwas/glob with '.' as the separator, as Hydra compiles origin patterns: `*` is any run of characters
 * without a dot, `**` any run, `?` one character that is not a dot, `[a-z]`/`[!a-z]` a class, `{a,b}`
 * alternatives, `\` escapes. A pattern `scheme://*` admits any host of that scheme (Hydra turns it into `**`).
 */
export function originPattern(pattern: string): RegExp | null {
  let glob = pattern.toLowerCase();
  if (glob.endsWith('://*') && glob.indexOf('://') === glob.length - 4) glob += '*';
  let source = '';
  let inAlternatives = false;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '\\') {
      const next = glob[++i];
      if (next === undefined) return null;
      source += escapeRegExp(next);
    } else if (c === '*') {
      if (glob[i + 1] === '*') {
        source += '.*';
        i++;
      } else source += '[^.]*';
    } else if (c === '?') source += '[^.]';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) return null;
      const body = glob.slice(i + 1, end);
      const negated = body.startsWith('!');
      const chars = (negated ? body.slice(1) : body).replace(/[\\\]^]/g, '\\$&');
      if (chars === '') return null;
      source += negated ? `[^${chars}]` : `[${chars}]`;
      i = end;
    } else if (c === '{' && !inAlternatives) {
      inAlternatives = true;
      source += '(?:';
    } else if (c === '}' && inAlternatives) {
      inAlternatives = false;
      source += ')';
    } else if (c === ',' && inAlternatives) source += '|';
    else source += escapeRegExp(c);
  }
  if (inAlternatives) return null;
  return new RegExp(`^${source}$`, 's');
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

/** Compiles patterns; `*` anywhere admits all. Patterns that do not compile are left out, as Hydra logs and skips them. */
function originMatcher(patterns: readonly string[], emptyAdmitsAll: boolean): (origin: string) => boolean {
  if ((emptyAdmitsAll && patterns.length === 0) || patterns.includes('*')) return () => true;
  const compiled = patterns.map(originPattern).filter((p): p is RegExp => p !== null);
  return (origin) => {
    const lower = origin.toLowerCase();
    return compiled.some((p) => p.test(lower));
  };
}

const headerValue = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join(',') : (v ?? ''));
const trimSlashes = (path: string) => path.replace(/(.)\/+$/, '$1');

export function corsHook(options: CorsHookOptions): CorsHooks {
  // Disabled: no hook at all, so the token endpoint's fast path runs exactly as without CORS.
  if (!options.enabled) return { beforeBody: [], operationHooks: () => [] };

  const globallyAllowed = originMatcher(options.allowedOrigins, true);
  const methods = new Set(options.allowedMethods.map((m) => m.toUpperCase()));
  // rs/cors always allows the Origin header, and compares header names case-insensitively.
  const headers = new Set([...options.allowedHeaders, 'Origin'].map((h) => h.toLowerCase()));
  const anyHeader = headers.has('*');
  const exposed = options.exposedHeaders.join(', ');
  const clientOperationIds = new Set(options.clientOperations.map((o) => o.operationId));
  const clientPaths = new Set(options.clientOperations.map((o) => trimSlashes(o.path)));
  const methodAllowed = (method: string) => method === 'OPTIONS' || methods.has(method);

  function allow(res: HttpResponse, origin: string) {
    // The origin itself rather than `*`, which browsers refuse on a credentialed request.
    res.setHeader('Access-Control-Allow-Origin', origin);
    if (options.allowCredentials) res.setHeader('Access-Control-Allow-Credentials', 'true');
  }

  /** rs/cors handlePreflight; Hydra's oauth2cors admits any origin on a preflight to a client route. */
  function preflight(req: HttpRequest, res: HttpResponse) {
    res.setHeader('Vary', 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers');
    const origin = headerValue(req.headers.origin);
    const method = headerValue(req.headers['access-control-request-method']).toUpperCase();
    const requested = headerValue(req.headers['access-control-request-headers']);
    const names = requested
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean);
    if (
      origin !== '' &&
      (globallyAllowed(origin) || clientPaths.has(trimSlashes(req.path))) &&
      methodAllowed(method) &&
      (anyHeader || names.every((h) => headers.has(h)))
    ) {
      allow(res, origin);
      res.setHeader('Access-Control-Allow-Methods', method);
      if (names.length > 0) res.setHeader('Access-Control-Allow-Headers', requested);
      if (options.maxAgeSeconds > 0) res.setHeader('Access-Control-Max-Age', String(options.maxAgeSeconds));
    }
    res.statusCode = 204;
    res.end();
  }

  /** rs/cors handleActualRequest, for an origin found allowed. */
  function actual(res: HttpResponse, origin: string) {
    allow(res, origin);
    if (exposed !== '') res.setHeader('Access-Control-Expose-Headers', exposed);
  }

  const beforeBody: Hook = (req, res, next) => {
    // rs/cors: an OPTIONS request with Access-Control-Request-Method is a preflight, answered here for any
    // path (before the router's 405), whether or not the origin is allowed.
    if (req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined) {
      preflight(req, res);
      return;
    }
    res.setHeader('Vary', 'Origin');
    const origin = headerValue(req.headers.origin);
    if (origin !== '' && methodAllowed(req.method ?? '') && globallyAllowed(origin)) actual(res, origin);
    next();
  };

  /** The client the request speaks for, in Hydra's order: form client_id, Basic user, bearer token's client. */
  async function callingClient(req: HttpRequest): Promise<string | null> {
    const form = (req.body !== null && typeof req.body === 'object' ? req.body : {}) as Form;
    const fromForm = formValue(form, 'client_id');
    if (fromForm !== '') return fromForm;
    const authorization = headerValue(req.headers.authorization);
    const basic = parseBasicAuthorization(authorization);
    if (basic && basic.username !== '') return queryUnescape(basic.username);
    const query = (req.query !== null && typeof req.query === 'object' ? req.query : {}) as Form;
    const bearer = accessTokenFromRequest(authorization, form, query);
    return bearer === '' ? null : options.tokenClient(bearer);
  }

  const clientHook: Hook = (req, res, next) => {
    const origin = headerValue(req.headers.origin);
    if (origin === '' || !methodAllowed(req.method ?? '') || globallyAllowed(origin)) return next();
    callingClient(req)
      .then(async (clientId) => {
        const client = clientId === null ? null : await options.clients.get(clientId);
        const origins = client?.document.allowed_cors_origins ?? [];
        if (origins.length > 0 && originMatcher(origins, false)(origin)) actual(res, origin);
      })
      // Hydra treats any failure here as "not allowed"; the operation itself reports what went wrong.
      .catch(() => {})
      .finally(() => next());
  };

  return {
    beforeBody: [beforeBody],
    operationHooks: (operation) => (clientOperationIds.has(operation.operationId) ? [clientHook] : []),
  };
}
