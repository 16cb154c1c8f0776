// The two Express apps: public (4444) and admin (4445). Middleware order: request log → body parsers →
// operations from the contract → 404 → the error handler.
import type { RequestListener } from 'node:http';
import express, { type Express } from 'express';
import type { Logger } from 'pino';
import { deeperThan, MAX_JSON_DEPTH } from '../clients/json-depth.js';
import { type Contract, RequestValidationError } from './contract.js';
import { errorHandler, notFoundHandler } from './error-handler.js';
import type { Hook } from './exchange.js';
import { withFastPath } from './fast-path.js';
import { FORM_PARAMETER_LIMIT } from './form-body.js';
import { type Handlers, mountOperations, type OperationHooks } from './operations.js';
import { requestLog } from './request-log.js';
import { type RouteTable, routeTable } from './routes.js';
import { peerAddress, type SourceAddress } from './source-address.js';

/** Hydra reads at most 1 MiB of form data in memory; JSON bodies get the same bound. */
const BODY_LIMIT = 1024 * 1024;
const parseForm = express.urlencoded({
  extended: false,
  limit: BODY_LIMIT,
  parameterLimit: FORM_PARAMETER_LIMIT,
});
const TOO_DEEP = `the request body nests objects and arrays more than ${MAX_JSON_DEPTH} levels deep`;

/**
 * Middleware the composition root adds: before the body parsers, for every request (metrics, admin
 * authentication), and after them, for the operations that need it (the rate limit, `x-tollgate-rate-limit`).
 */
export interface AppHooks {
  beforeBody?: Hook[];
  operationHooks?: OperationHooks;
  /** Where a request comes from, as handlers see it (default: the TCP peer). */
  sourceAddress?: SourceAddress;
}

function createApp(logger: Logger, routes: RouteTable, hooks: AppHooks): RequestListener {
  const sourceAddress = hooks.sourceAddress ?? peerAddress;
  const app = createExpressApp(logger, routes, sourceAddress, hooks);
  return withFastPath(app, {
    sourceAddress,
    hooks,
    logger,
    routes,
    bodyLimit: BODY_LIMIT,
  });
}

function createExpressApp(
  logger: Logger,
  routes: RouteTable,
  sourceAddress: SourceAddress,
  hooks: AppHooks,
): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  // Query strings stay flat (a[b]=c is a parameter named "a[b]"); Go's url.Values does the same.
  app.set('query parser', 'simple');
  app.use(requestLog(logger));
  // Set before the body parsers, so that their errors (malformed or oversized bodies) are worded like the
  // endpoint's own (the contract's `x-tollgate-error-style`): the token endpoint never answers a herodot-style
  // error. The route is kept for the hooks before the router (admin authentication, rate limits).
  app.use((req, res, next) => {
    const route = routes.find(req.path);
    res.locals.route = route;
    res.locals.errorStyle = route ? route.errorStyle : routes.unmatchedStyle(req.path);
    next();
  });
  for (const hook of hooks.beforeBody ?? []) app.use(hook);
  app.use(express.json({ limit: BODY_LIMIT, type: ['application/json', 'application/*+json'] }));
  app.use((req, _res, next) => {
    const tooDeep = deeperThan(req.body, MAX_JSON_DEPTH);
    next(tooDeep ? new RequestValidationError('body', TOO_DEEP) : undefined);
  });
  app.use(parseForm);
  const router = express.Router({ strict: false, caseSensitive: true });
  mountOperations(router, routes, sourceAddress, hooks.operationHooks);
  app.use(router);
  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}

export function createPublicApp(
  logger: Logger,
  contract: Contract,
  handlers: Handlers,
  hooks: AppHooks = {},
): RequestListener {
  return createApp(logger, routeTable(contract, handlers), hooks);
}

/**
 * Hydra's admin router answers every admin path with and without the `/admin` prefix (`/clients` is
 * `/admin/clients`, `/admin/health/alive` is `/health/alive`); Ory's SDK relies on it, e.g. for `/version`.
 */
const adminAliases = (path: string) =>
  path.startsWith('/admin/') ? [path.slice('/admin'.length)] : [`/admin${path}`];

export function createAdminApp(
  logger: Logger,
  contract: Contract,
  handlers: Handlers,
  hooks: AppHooks = {},
): RequestListener {
  return createApp(logger, routeTable(contract, handlers, adminAliases), hooks);
}
