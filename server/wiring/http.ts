// The two Express apps: every feature's operations, mounted from the contract, behind the hooks both ports
// share (request metrics, source address, rate limits) and the admin port's authentication.
import type { RequestListener } from 'node:http';
import { metadataHandlers } from '../http/admin/metadata.js';
import { adminAuthentication } from '../http/admin-auth.js';
import { createAdminApp, createPublicApp } from '../http/apps.js';
import { loadContract } from '../http/contract.js';
import { type CorsHookOptions, corsHook } from '../http/cors.js';
import { requestMetrics } from '../http/metrics.js';
import { rateLimit } from '../http/rate-limit.js';
import { sourceAddress } from '../http/source-address.js';
import type { Metrics } from '../observability/metrics.js';
import { TokenBuckets } from '../protection/token-bucket.js';
import { VERSION } from '../version.js';
import type { Feature, WiringContext } from './feature.js';

export function wireHttp(
  { config, logger }: WiringContext,
  metrics: Metrics,
  features: readonly Feature[],
  cors: Pick<CorsHookOptions, 'clients' | 'tokenClient'>,
): { publicApp: RequestListener; adminApp: RequestListener } {
  const limits = config.protection.rateLimit;
  const bucket = (b: { rate: number; burst: number }) =>
    limits.enabled && b.rate > 0 ? new TokenBuckets(b) : undefined;
  // One set of buckets for both ports: an address or client counts the same wherever it calls. Without any
  // bucket (the default) the hook is left out: it would only cost time on every token request.
  const buckets = { perClient: bucket(limits.perClient), perAddress: bucket(limits.perAddress) };
  const source = sourceAddress(config.serve.trustedProxies);
  const limiter = buckets.perClient || buckets.perAddress ? rateLimit(buckets, source) : undefined;
  const adminAuth =
    config.protection.adminTokens.length > 0 ? [adminAuthentication(config.protection.adminTokens)] : [];
  const contract = loadContract();
  const publicCors = corsHook({
    ...config.cors,
    ...cors,
    // `x-tollgate-cors: client`: a client's own allowed_cors_origins admit an Origin (Hydra's oauth2cors).
    clientOperations: [...contract.operations.values()].filter((o) => o.cors),
  });
  const publicApp = createPublicApp(
    logger,
    contract,
    Object.assign({}, ...features.map((f) => f.publicHandlers)),
    {
      beforeBody: [requestMetrics(metrics, 'public'), ...publicCors.beforeBody],
      // CORS first: a refusal by the rate limit must still be readable by the page that sent the request.
      operationHooks: (operation) => [
        ...publicCors.operationHooks(operation),
        ...(limiter?.(operation) ?? []),
      ],
      sourceAddress: source,
    },
  );
  const adminApp = createAdminApp(
    logger,
    contract,
    Object.assign({}, ...features.map((f) => f.adminHandlers), metadataHandlers(VERSION)),
    {
      beforeBody: [requestMetrics(metrics, 'admin'), ...adminAuth],
      operationHooks: limiter,
      sourceAddress: source,
    },
  );
  return { publicApp, adminApp };
}
