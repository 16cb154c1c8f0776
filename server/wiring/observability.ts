// Metrics and the audit log, shared by the features that report to them.
import { metricsHandlers } from '../http/admin/metrics.js';
import { createAudit } from '../observability/audit.js';
import { Metrics } from '../observability/metrics.js';
import type { Feature, WiringContext } from './feature.js';

export function wireObservability({ knex, logger }: WiringContext) {
  const metrics = new Metrics();
  metrics.watchPool(knex);
  const audit = createAudit(logger);
  const feature: Feature = { adminHandlers: metricsHandlers(metrics) };
  return { metrics, audit, feature };
}
