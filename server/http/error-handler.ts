// The only writer of error bodies. Every error becomes Hydra's `{"error", "error_description"}` JSON with the
// right status, or for the pages a browser opens (`x-tollgate-error-style: html`) a small HTML page saying the
// same; anything unexpected is a 500 `server_error` whose details go to the log, never to the client.
import type { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import {
  ApiError,
  BadRequestError,
  InvalidRequest,
  NotFoundError,
  ServerError,
  TemporarilyUnavailable,
  TooManyRequests,
} from '../oauth2/errors.js';
import { type ErrorStyle, RequestValidationError } from './contract.js';

/** body-parser failures carry a `type` and an HTTP status. */
interface BodyParserError {
  type: string;
  status: number;
}

const isBodyParserError = (err: unknown): err is Error & BodyParserError =>
  err instanceof Error && typeof (err as Partial<BodyParserError>).type === 'string';

function toApiError(err: unknown, style: ErrorStyle): ApiError | undefined {
  if (err instanceof ApiError) return err;
  // The browser pages are OAuth 2.0 endpoints too: their contract violations are worded as fosite's.
  if (err instanceof RequestValidationError) {
    return style !== 'admin'
      ? new InvalidRequest(`${capitalize(err.message)}.`)
      : new BadRequestError(err.message);
  }
  if (isBodyParserError(err)) {
    const reason = bodyParserReason(err);
    if (err.status === 413)
      return new ApiError(413, style !== 'admin' ? 'invalid_request' : 'Payload Too Large', reason);
    if (err.status === 415) {
      return new ApiError(415, style !== 'admin' ? 'invalid_request' : 'Unsupported Media Type', reason);
    }
    return style !== 'admin'
      ? new InvalidRequest(reason)
      : new BadRequestError(`Unable to decode the request body: ${reason}`);
  }
  // The router could not decode a path parameter (`%E2%82`, `%zz`).
  if (err instanceof URIError) {
    const reason = 'The request path is not valid percent-encoded UTF-8.';
    return style !== 'admin' ? new InvalidRequest(reason) : new BadRequestError(reason);
  }
  // Database errors arrive already translated (storage/pg-errors.ts); anything else is unexpected.
  return undefined;
}

function bodyParserReason(err: Error & BodyParserError): string {
  switch (err.type) {
    case 'entity.too.large':
      return 'The request body is larger than the allowed 1 MiB.';
    case 'entity.parse.failed':
      return 'The request body is not valid JSON.';
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return 'The request body uses an unsupported encoding or charset.';
    default:
      return 'The request body could not be read.';
  }
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text for HTML element content and quoted attribute values. */
export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] as string);

/**
 * The page of an error on a browser endpoint: the error as title and heading, its description, and when the
 * server is only unavailable for now (503), a link that repeats the same request. `url` is the request target;
 * it is linked only when it is a path on this server (`//host` would leave it) and the request was a GET, which
 * a link repeats exactly.
 */
export function errorPage(error: ApiError, request: { method?: string; url?: string } = {}): string {
  const { error: title, error_description: description } = error.toJSON();
  const { method, url } = request;
  let retry = '';
  if (error.status === 503) {
    const repeatable = (method === 'GET' || method === 'HEAD') && url && /^\/(?![/\\])/.test(url);
    retry = repeatable
      ? `<p><a href="${escapeHtml(url)}">Try again</a></p>`
      : '<p>Go back and send the form again in a moment.</p>';
  }
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title></head>`,
    `<body><main><h1>${escapeHtml(title)}</h1><p>${escapeHtml(description)}</p>${retry}</main></body>`,
    '</html>',
    '',
  ].join('\n');
}

export function writeError(res: ServerResponse, error: ApiError, style: ErrorStyle) {
  if (style === 'html') {
    // A page of a flow step echoes the request's parameters: no cache may keep it.
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Pragma', 'no-cache');
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
  } else if (style === 'oauth2') {
    // RFC 6749 §5.1/§5.2 and fosite: token-endpoint errors are never cached.
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Pragma', 'no-cache');
    res.setHeader('Content-Type', 'application/json;charset=UTF-8');
  } else {
    res.setHeader('Content-Type', 'application/json');
  }
  if (error instanceof TemporarilyUnavailable) res.setHeader('Retry-After', '1');
  if (error instanceof TooManyRequests) res.setHeader('Retry-After', String(error.retryAfterSeconds));
  // RFC 6750 §3.1: a bearer token the userinfo endpoint refuses is named in the challenge too, as Hydra does.
  if (error.status === 401 && (error.error === 'request_unauthorized' || error.error === 'invalid_token')) {
    const body = error.toJSON();
    res.setHeader(
      'WWW-Authenticate',
      `Bearer error="${body.error}",error_description="${body.error_description}"`,
    );
  }
  res.statusCode = error.status;
  if (style === 'html') {
    const req = res.req as (ServerResponse['req'] & { originalUrl?: string }) | undefined;
    res.end(errorPage(error, { method: req?.method, url: req?.originalUrl ?? req?.url }));
    return;
  }
  res.end(JSON.stringify(error.toJSON()));
}

export function errorHandler(err: unknown, _req: Request, res: Response, _next: NextFunction) {
  handleError(err, res, res.locals.errorStyle ?? 'admin', res.locals.log as Logger | undefined);
}

/** Answers a failed request (Express's error middleware and the fast path both end here). */
export function handleError(err: unknown, res: ServerResponse, style: ErrorStyle, log: Logger | undefined) {
  let apiError = toApiError(err, style);
  if (!apiError) {
    // Name and message only: a stack or a cause could carry request data.
    log?.error({ error: (err as Error)?.name, reason: (err as Error)?.message }, 'unexpected error');
    apiError = new ServerError();
  } else if (apiError.status >= 500) {
    log?.warn({ error: apiError.error, cause: (err as Error)?.message }, 'request failed');
  }
  if (res.headersSent) {
    res.destroy();
    return;
  }
  writeError(res, apiError, style);
}

/** Unknown routes: a JSON 404 with the same two keys (Hydra's catch-all answers HTML unless asked for JSON). */
export function notFoundHandler(_req: Request, res: Response) {
  writeError(res, new NotFoundError('Not Found', 'The requested route does not exist.'), 'admin');
}

/** Statuses for errors Node's HTTP parser raises before Express sees a request. */
const CLIENT_ERRORS: Record<string, [number, string, string]> = {
  HPE_HEADER_OVERFLOW: [
    431,
    'Request Header Fields Too Large',
    'The request line and headers exceed 16 KiB.',
  ],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'Request Timeout', 'The request was not received in time.'],
};

/**
 * `clientError` of node:http (malformed HTTP, oversized headers, header/request timeouts): the same JSON error
 * body as every other error instead of Node's empty one, then the connection is closed.
 */
export function clientErrorHandler(err: Error & { code?: string }, socket: Duplex) {
  const message = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (err.code === 'ECONNRESET' || !socket.writable || message?.headersSent) {
    socket.destroy();
    return;
  }
  const [status, reason, description] = CLIENT_ERRORS[err.code ?? ''] ?? [
    400,
    'Bad Request',
    'The request is not valid HTTP/1.1.',
  ];
  const body = JSON.stringify(new ApiError(status, reason, description).toJSON());
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
