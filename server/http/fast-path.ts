// The hot operations (token issuance, introspection) served straight from node:http, without Express's
// router and middleware chain, which on its own costs several times the whole token work (measured with
// `npm run bench`). Everything else about the request is the same code as through Express: the same form
// parser, the same contract validation and handler (operations.ts `invoke`), the same response writer and
// error handler, the same request log line.
//
// Only the plain case takes this path: the exact path (no query string, no trailing slash), a form body in
// UTF-8 with a Content-Length within the limit and no Content-Encoding. Anything else goes to Express, which
// answers it as before. The body is read by form-body.ts, which parses exactly as Express's urlencoded parser
// without its general machinery (raw-body, iconv, type-is: together more than the token's own work).
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Contract, Operation } from './contract.js';
import { handleError } from './error-handler.js';
import { readFormBody } from './form-body.js';
import {
  type ErrorStyle,
  type Handler,
  type Handlers,
  invoke,
  type OperationId,
  send,
} from './operations.js';
import { startRequestLog } from './request-log.js';
import type { SourceAddress } from './source-address.js';

type Middleware = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

export interface FastPathOptions {
  logger: Logger;
  contract: Contract;
  handlers: Handlers;
  /** Operations served here when their request is plain. */
  operations: readonly OperationId[];
  /** Extra paths per operation (Hydra's admin aliases). */
  aliases?: (path: string) => string[];
  valuesInDomain: ReadonlySet<OperationId>;
  errorStyle: (path: string) => ErrorStyle;
  bodyLimit: number;
  sourceAddress: SourceAddress;
  /**
   * The same middleware Express runs around its body parsers (metrics, admin authentication, rate limits), so
   * the fast path protects and counts exactly as the slow one.
   */
  hooks?: { beforeBody?: readonly unknown[]; afterBody?: readonly unknown[] };
}

interface Route {
  operation: Operation;
  handler: Handler<OperationId>;
  valuesInDomain: boolean;
  style: ErrorStyle;
}

/** The form content types taken here (lower-cased); body-parser reads all of them as UTF-8. */
const PLAIN_FORM = new Set([
  'application/x-www-form-urlencoded',
  'application/x-www-form-urlencoded;charset=utf-8',
  'application/x-www-form-urlencoded; charset=utf-8',
]);

export function withFastPath(fallback: RequestListener, options: FastPathOptions): RequestListener {
  const routes = new Map<string, Route>();
  for (const operationId of options.operations) {
    const handler = options.handlers[operationId] as Handler<OperationId> | undefined;
    const operation = options.contract.operations.get(operationId);
    if (!handler || !operation || operation.method !== 'post' || operation.path.includes('{')) continue;
    for (const path of [operation.path, ...(options.aliases?.(operation.path) ?? [])]) {
      routes.set(path, {
        operation,
        handler,
        valuesInDomain: options.valuesInDomain.has(operationId),
        style: options.errorStyle(path),
      });
    }
  }

  return (req, res) => {
    const route = req.method === 'POST' ? routes.get(req.url ?? '') : undefined;
    const type = req.headers['content-type'];
    const length = Number(req.headers['content-length']);
    if (
      !route ||
      typeof type !== 'string' ||
      !PLAIN_FORM.has(type.toLowerCase()) ||
      !(length >= 0 && length <= options.bodyLimit) ||
      req.headers['content-encoding'] !== undefined ||
      req.headers['transfer-encoding'] !== undefined
    ) {
      fallback(req, res);
      return;
    }
    exchange(route, req, res, type, options);
  };
}

const NO_HOOKS: readonly unknown[] = [];

/** One request on the fast path: the hooks before the body, the body, the hooks after it, the operation. */
function exchange(
  route: Route,
  req: IncomingMessage & { body?: unknown; path?: string },
  res: ServerResponse & { locals?: Record<string, unknown> },
  type: string,
  options: FastPathOptions,
) {
  const log = startRequestLog(options.logger, req, res, req.url as string);
  // What the hooks read from Express's request and response: the path, the per-response locals.
  req.path = req.url;
  res.locals ??= {};
  res.locals.operationId = route.operation.operationId;
  res.locals.errorStyle = route.style;
  res.locals.log = log;
  const before = options.hooks?.beforeBody ?? NO_HOOKS;
  const after = options.hooks?.afterBody ?? NO_HOOKS;
  let bodyRead = false;
  let index = 0;

  const fail = (err: unknown) => handleError(err, res, route.style, log);
  const run = () => {
    invoke(route.operation, route.handler, route.valuesInDomain, {
      params: {},
      query: {},
      body: req.body,
      contentType: type,
      authorization: req.headers.authorization,
      source: options.sourceAddress(req),
      log,
    }).then((reply) => send(res, route.operation, reply), fail);
  };
  // Runs the hooks in order (Express treats a falsy argument as "no error"), reading the body between them.
  const next = (err?: unknown) => {
    if (err) {
      fail(err);
      return;
    }
    const chain = bodyRead ? after : before;
    if (index < chain.length) {
      // Express middleware written against Express's request type; the fields it reads are set above.
      const middleware = chain[index++] as Middleware;
      try {
        middleware(req, res, next);
      } catch (e) {
        fail(e);
      }
    } else if (!bodyRead) {
      bodyRead = true;
      index = 0;
      readFormBody(req, (parseError, form) => {
        if (parseError) return fail(parseError);
        req.body = form;
        next();
      });
    } else {
      run();
    }
  };
  next();
}
