// Admin API: Prometheus metrics (Hydra serves the same path on its admin port).
import type { Handlers } from '../operations.js';

export function metricsHandlers(metrics: { render(): Promise<string>; contentType: string }) {
  return {
    async getPrometheusMetrics() {
      return { status: 200, body: await metrics.render(), headers: { 'Content-Type': metrics.contentType } };
    },
  } satisfies Handlers;
}
