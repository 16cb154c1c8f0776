// Handlers are typed from the contract's generated types and mounted by operationId: the path and method come
// from openapi.yaml (through the route table, routes.ts), so a handler cannot be routed anywhere the contract
// does not say.
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { NextFunction, Request, Response, Router } from 'express';
import type { Logger } from 'pino';
import type { operations } from '../../sdk/generated/openapi.js';
import { MethodNotAllowedError } from '../oauth2/errors.js';
import { type Operation, RequestValidationError } from './contract.js';
import { parseCookieHeader } from './cookie-header.js';
import type { Hook, HttpRequest, HttpResponse } from './exchange.js';
import type { RouteTable } from './routes.js';
import { exchangeSource, type SourceAddress } from './source-address.js';
import { unstorableText } from './text-check.js';

export type OperationId = keyof operations;
type Op<O extends OperationId> = operations[O];
type Content<R> = R extends { content: infer C } ? C[keyof C] : undefined;

export type RequestBody<O extends OperationId> =
  Op<O> extends { requestBody?: infer B } ? Content<NonNullable<B>> : undefined;
export type PathParams<O extends OperationId> =
  Op<O> extends { parameters: { path?: infer P } } ? NonNullable<P> : never;
export type QueryParams<O extends OperationId> =
  Op<O> extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;

type Responses<O extends OperationId> = Op<O>['responses'];
/** Response headers; an array is sent as one header line per value (several `Set-Cookie`). */
export type ReplyHeaders = Record<string, string | string[]>;

/** What a handler returns: one of the operation's declared responses, with its body type. */
export type Reply<O extends OperationId> = {
  [S in keyof Responses<O>]: S extends number
    ? { status: S; body: Content<Responses<O>[S]>; headers?: ReplyHeaders }
    : never;
}[keyof Responses<O>];

export interface OperationRequest<O extends OperationId> {
  params: PathParams<O>;
  query: QueryParams<O>;
  body: RequestBody<O>;
  /** The raw Authorization header (client authentication, RFC 6749 §2.3.1). */
  authorization: string | undefined;
  /** The HTTP method as sent (`HEAD` reaches a GET operation). */
  readonly method: string;
  /** The request headers (Origin, Host, Sec-Fetch-Site, …); read them, never change them. */
  readonly headers: Readonly<IncomingHttpHeaders>;
  /** The Cookie header, parsed when first read (http/cookie-header.ts: bounded, first value of a name wins). */
  readonly cookies: Readonly<Record<string, string>>;
  /** The caller's address (http/source-address.ts), worked out when first read: few operations need it. */
  readonly source: string;
  log: Logger;
}

export type Handler<O extends OperationId> = (request: OperationRequest<O>) => Promise<Reply<O>>;
export type Handlers = { [O in OperationId]?: Handler<O> };

/** The hooks an operation's requests run once the body is read, before the handler (none by default). */
export type OperationHooks = (operation: Operation) => Hook[];

const expressPath = (path: string) => path.replace(/\{([^}]+)\}/g, ':$1');

/** Mounts every route of the table on its method and paths, behind the operation's hooks. */
export function mountOperations(
  router: Router,
  table: RouteTable,
  sourceAddress: SourceAddress,
  operationHooks: OperationHooks = () => [],
) {
  for (const { operation, handler, paths } of table.routes) {
    router[operation.method](
      paths.map(expressPath),
      ...operationHooks(operation),
      async (req: Request, res: Response, next: NextFunction) => {
        // The route label of metrics: the operation, never the raw path.
        res.locals.operationId = operation.operationId;
        try {
          const reply = await invoke(operation, handler, {
            params: req.params as Record<string, string>,
            query: { ...(req.query as Record<string, unknown>) },
            body: req.body,
            contentType: req.headers['content-type'],
            authorization: req.headers.authorization,
            req,
            res,
            sourceAddress,
            log: res.locals.log as Logger,
          });
          send(res, operation, reply);
        } catch (err) {
          next(err);
        }
      },
    );
  }
  // A known path with another method: 405 with Allow (routes.ts), worded in the path's style, which the app
  // set from the same route before the body was read.
  for (const [path, { allow }] of table.paths) {
    router.all(expressPath(path), (_req: Request, res: Response, next: NextFunction) => {
      res.setHeader('Allow', allow);
      next(new MethodNotAllowedError());
    });
  }
}

export interface RawRequest {
  params: Record<string, string>;
  query: Record<string, unknown>;
  body: unknown;
  contentType: string | undefined;
  authorization: string | undefined;
  /** The exchange, whose source address the handler may ask for (source-address.ts `exchangeSource`). */
  req: Pick<HttpRequest, 'headers' | 'socket' | 'method'>;
  res: Pick<HttpResponse, 'locals'>;
  sourceAddress: SourceAddress;
  log: Logger;
}

export type AnyReply = { status: number; body?: unknown; headers?: ReplyHeaders };

/** Checks a request against the contract (see Operation.validate), then runs the handler. */
export async function invoke(
  operation: Operation,
  handler: Handler<OperationId>,
  request: RawRequest,
): Promise<AnyReply> {
  for (const [location, value] of [
    ['path', request.params],
    ['query', request.query],
    ['body', request.body],
  ] as const) {
    const at = unstorableText(value);
    if (at !== undefined) {
      throw new RequestValidationError(
        location,
        `the ${location} holds a NUL character or unpaired surrogate at ${at.slice(0, 100)}, which cannot be stored`,
      );
    }
  }
  operation.validate(request);
  return (await handler(new HandlerRequest(request, operation))) as AnyReply;
}

/**
 * A handler's request; its source address, method, headers and cookies are getters on the prototype, so no
 * request allocates a closure and only the handlers that read cookies parse them.
 */
class HandlerRequest implements OperationRequest<OperationId> {
  readonly params: never;
  readonly query: never;
  readonly body: never;
  readonly authorization: string | undefined;
  readonly log: Logger;
  private parsedCookies: Record<string, string> | undefined;
  constructor(
    private readonly raw: RawRequest,
    private readonly operation: Operation,
  ) {
    this.params = raw.params as never;
    this.query = raw.query as never;
    this.body = raw.body as never;
    this.authorization = raw.authorization;
    this.log = raw.log;
  }
  get source(): string {
    return exchangeSource(this.raw.sourceAddress, this.raw.req, this.raw.res);
  }
  get method(): string {
    return this.raw.req.method ?? this.operation.method.toUpperCase();
  }
  get headers(): Readonly<IncomingHttpHeaders> {
    return this.raw.req.headers;
  }
  get cookies(): Readonly<Record<string, string>> {
    this.parsedCookies ??= parseCookieHeader(this.raw.req.headers.cookie);
    return this.parsedCookies;
  }
}

/** fosite writes introspection and token responses with this exact content type (no caching: openapi.yaml). */
export const OAUTH2_JSON_HEADERS = {
  'Content-Type': 'application/json;charset=UTF-8',
};

/** Writes a handler's reply with node's own response API (so it also serves the fast path, http/fast-path.ts). */
export function send(res: ServerResponse, operation: Operation, reply: AnyReply) {
  // Hydra marks every GET response uncacheable (ory/x httprouterx). A response with a secret or a token is
  // never stored either, whatever its method (RFC 6749 §5.1, as fosite writes token responses).
  if (operation.method === 'get')
    res.setHeader('Cache-Control', 'private, no-cache, no-store, must-revalidate');
  else if (operation.noStore) res.setHeader('Cache-Control', 'no-store');
  if (operation.noStore) res.setHeader('Pragma', 'no-cache');
  for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
  res.statusCode = reply.status;
  if (reply.body === undefined) {
    res.end();
    return;
  }
  // A page of a browser endpoint is HTML unless its handler says otherwise (never JSON).
  if (typeof reply.body === 'string' && operation.errorStyle === 'html' && !res.hasHeader('Content-Type'))
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
  // A string with a media type other than JSON (Prometheus exposition, an HTML page, a signed userinfo
  // `application/jwt`) is sent as it is; everything else is JSON.
  const type = res.getHeader('Content-Type');
  if (typeof reply.body === 'string' && type !== undefined && !/json/i.test(String(type))) {
    res.end(reply.body);
    return;
  }
  if (!res.hasHeader('Content-Type')) res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(reply.body));
}
