// One log line per request with a request id (taken from X-Request-Id or generated). Only the method, the path
// without its query string, the status and the duration are logged: never headers, bodies or query values.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';

const SAFE_ID = /^[\w.:-]{1,128}$/;

export function requestLog(logger: Logger) {
  return (req: Request, res: Response, next: NextFunction) => {
    res.locals.log = startRequestLog(logger, req, res, req.path);
    next();
  };
}

/** Sets X-Request-Id and logs the request line when the response has been sent; returns the request's logger. */
export function startRequestLog(
  logger: Logger,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
): Logger {
  const header = req.headers['x-request-id'];
  const id = typeof header === 'string' && SAFE_ID.test(header) ? header : randomUUID();
  const log = logger.child({ request_id: id });
  res.setHeader('X-Request-Id', id);
  const started = process.hrtime.bigint();
  res.on('finish', () => {
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    log.info({ method: req.method, path, status: res.statusCode, ms: Math.round(ms * 100) / 100 }, 'request');
  });
  return log;
}
