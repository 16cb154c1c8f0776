// What middleware may read and write of a request and its response, on both paths: Express's request and
// response have these members, and the fast path (fast-path.ts) passes small objects over node's own. A hook
// that needs more than this would see it only through Express, so the interface grows instead.
import type { IncomingHttpHeaders } from 'node:http';
import type { Logger } from 'pino';
import type { ErrorStyle } from './contract.js';
import type { PathRoute } from './routes.js';

export interface HttpRequest {
  readonly method: string | undefined;
  /** The path without its query string. */
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly socket: { readonly remoteAddress?: string | undefined };
  /** The parsed body, once the body has been read (undefined before). */
  readonly body?: unknown;
  /** The parsed query string (Express); the fast path serves only requests without one. */
  readonly query?: unknown;
}

/** Per-response state shared by the app, the hooks and the error handler. */
export interface ExchangeLocals {
  /** What the operations at the request's path share, when the app serves it (routes.ts `find`). */
  route?: PathRoute | undefined;
  /** The metrics label, set once an operation is known. */
  operationId?: string;
  errorStyle?: ErrorStyle;
  /** Where the request comes from, once asked (source-address.ts `exchangeSource`). */
  source?: string;
  log?: Logger;
}

export interface HttpResponse {
  readonly locals: ExchangeLocals;
  statusCode: number;
  setHeader(name: string, value: string): unknown;
  removeHeader(name: string): void;
  /** Ends the response without a body (a hook that answers the request itself: a CORS preflight). */
  end(): void;
  on(event: 'finish', listener: () => void): unknown;
}

/** Middleware run on both paths (metrics, admin authentication, rate limits); `next(err)` fails the request. */
export type Hook = (req: HttpRequest, res: HttpResponse, next: (err?: unknown) => void) => void;
