// Counts and times every request by operationId (set by operations.ts when a route matched, by the rate limit
// for the endpoints it guards); unmatched requests count as `unmatched`, never under their raw path.
import type { Metrics } from '../observability/metrics.js';
import type { Hook } from './exchange.js';

export function requestMetrics(metrics: Metrics, server: 'public' | 'admin'): Hook {
  return (_req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const operation = typeof res.locals.operationId === 'string' ? res.locals.operationId : 'unmatched';
      metrics.observeRequest(server, operation, res.statusCode, seconds);
      if (res.statusCode === 429) metrics.limited.inc({ operation });
    });
    next();
  };
}
