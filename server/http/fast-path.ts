// The hot operations (token issuance, introspection) served straight from node:http, without Express's
// router and middleware chain, which on its own costs several times the whole token work (measured with
// `npm run bench`). Everything else about the request is the same code as through Express: the same form
// parser, the same contract validation and handler (operations.ts `invoke`), the same response writer and
// error handler, the same request log line.
//
// Only the plain case takes this path: the exact path (no query string, no trailing slash), a form body with a
// Content-Length within the limit and no Content-Encoding. Anything else goes to Express, which answers it as
// before.
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Contract, Operation } from './contract.js';
import { handleError } from './error-handler.js';
import {
  type ErrorStyle,
  type Handler,
  type Handlers,
  invoke,
  type OperationId,
  send,
} from './operations.js';
import { startRequestLog } from './request-log.js';

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
  /** The same urlencoded body parser Express uses. */
  parseForm: Middleware;
  errorStyle: (path: string) => ErrorStyle;
  bodyLimit: number;
}

interface Route {
  operation: Operation;
  handler: Handler<OperationId>;
  valuesInDomain: boolean;
  style: ErrorStyle;
}

const FORM = 'application/x-www-form-urlencoded';

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
      type.slice(0, FORM.length).toLowerCase() !== FORM ||
      !(length >= 0 && length <= options.bodyLimit) ||
      req.headers['content-encoding'] !== undefined ||
      req.headers['transfer-encoding'] !== undefined
    ) {
      fallback(req, res);
      return;
    }
    const log = startRequestLog(options.logger, req, res, req.url as string);
    options.parseForm(req, res, (parseError) => {
      if (parseError) {
        handleError(parseError, res, route.style, log);
        return;
      }
      invoke(route.operation, route.handler, route.valuesInDomain, {
        params: {},
        query: {},
        body: (req as IncomingMessage & { body?: unknown }).body,
        contentType: type,
        authorization: req.headers.authorization,
        log,
      }).then(
        (reply) => send(res, route.operation, reply),
        (err) => handleError(err, res, route.style, log),
      );
    });
  };
}
