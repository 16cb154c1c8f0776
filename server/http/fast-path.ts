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
import type { IncomingHttpHeaders, IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Operation } from './contract.js';
import { handleError } from './error-handler.js';
import type { ExchangeLocals, Hook, HttpRequest, HttpResponse } from './exchange.js';
import { readFormBody } from './form-body.js';
import { type Handler, invoke, type OperationHooks, type OperationId, send } from './operations.js';
import { startRequestLog } from './request-log.js';
import type { PathRoute, RouteTable } from './routes.js';
import type { SourceAddress } from './source-address.js';

export interface FastPathOptions {
  logger: Logger;
  /** The app's route table: its operations marked `x-tollgate-fast-path` are served here when plain. */
  routes: RouteTable;
  bodyLimit: number;
  sourceAddress: SourceAddress;
  /** The hooks Express runs before its body parsers and for the operation: both paths protect and count alike. */
  hooks?: { beforeBody?: readonly Hook[]; operationHooks?: OperationHooks };
}

interface FastRoute {
  operation: Operation;
  handler: Handler<OperationId>;
  route: PathRoute | undefined;
  /** The operation's hooks, run once the body is read. */
  hooks: readonly Hook[];
}

/** The form content types taken here (lower-cased); body-parser reads all of them as UTF-8. */
const PLAIN_FORM = new Set([
  'application/x-www-form-urlencoded',
  'application/x-www-form-urlencoded;charset=utf-8',
  'application/x-www-form-urlencoded; charset=utf-8',
]);

export function withFastPath(fallback: RequestListener, options: FastPathOptions): RequestListener {
  const routes = new Map<string, FastRoute>();
  for (const { operation, handler, paths } of options.routes.routes) {
    if (!operation.fastPath || operation.method !== 'post') continue;
    for (const path of paths) {
      if (path.includes('{')) continue;
      routes.set(path, {
        operation,
        handler,
        route: options.routes.find(path),
        hooks: options.hooks?.operationHooks?.(operation) ?? [],
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

/** node's request as the hooks see it; `path` is the whole URL, which the fast path takes only without a query. */
class FastRequest implements HttpRequest {
  body: unknown = undefined;
  constructor(readonly raw: IncomingMessage) {}
  get method(): string | undefined {
    return this.raw.method;
  }
  get path(): string {
    return this.raw.url as string;
  }
  get headers(): IncomingHttpHeaders {
    return this.raw.headers;
  }
  get socket(): IncomingMessage['socket'] {
    return this.raw.socket;
  }
}

/** node's response as the hooks see it, with the per-response locals Express would keep on it. */
class FastResponse implements HttpResponse {
  constructor(
    readonly raw: ServerResponse,
    readonly locals: ExchangeLocals,
  ) {}
  get statusCode(): number {
    return this.raw.statusCode;
  }
  set statusCode(status: number) {
    this.raw.statusCode = status;
  }
  setHeader(name: string, value: string) {
    this.raw.setHeader(name, value);
  }
  removeHeader(name: string) {
    this.raw.removeHeader(name);
  }
  end() {
    this.raw.end();
  }
  on(event: 'finish', listener: () => void) {
    this.raw.on(event, listener);
  }
}

const NO_HOOKS: readonly Hook[] = [];

/** One request on the fast path: the hooks before the body, the body, the hooks after it, the operation. */
function exchange(
  route: FastRoute,
  req: IncomingMessage,
  res: ServerResponse,
  type: string,
  options: FastPathOptions,
) {
  const log = startRequestLog(options.logger, req, res, req.url as string);
  const request = new FastRequest(req);
  const response = new FastResponse(res, {
    route: route.route,
    operationId: route.operation.operationId,
    errorStyle: route.operation.errorStyle,
    log,
  });
  const before = options.hooks?.beforeBody ?? NO_HOOKS;
  const after = route.hooks;
  let bodyRead = false;
  let index = 0;

  const fail = (err: unknown) => handleError(err, res, route.operation.errorStyle, log);
  const run = () => {
    invoke(route.operation, route.handler, {
      params: {},
      query: {},
      body: request.body,
      contentType: type,
      authorization: req.headers.authorization,
      req: request,
      res: response,
      sourceAddress: options.sourceAddress,
      log,
    }).then((reply) => send(res, route.operation, reply), fail);
  };
  // Runs the hooks in order (as Express does, a falsy argument means "no error"), reading the body between them.
  const next = (err?: unknown) => {
    if (err) {
      fail(err);
      return;
    }
    const chain = bodyRead ? after : before;
    if (index < chain.length) {
      const hook = chain[index++] as Hook;
      try {
        hook(request, response, next);
      } catch (e) {
        fail(e);
      }
    } else if (!bodyRead) {
      bodyRead = true;
      index = 0;
      readFormBody(req, (parseError, form) => {
        if (parseError) return fail(parseError);
        request.body = form;
        next();
      });
    } else {
      run();
    }
  };
  next();
}
