// Composition root: builds each feature's wiring module in dependency order and hands their operations to the
// two apps. Behaviour lives in the features; a new one adds its module to `features`.
import type { RequestListener } from 'node:http';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { SystemSecrets } from './crypto/secrets.js';
import { createIdTokens } from './oidc/id-token.js';
import type { Feature, ListeningUrls } from './wiring/feature.js';
import { wireFlows } from './wiring/flows.js';
import { wireHttp } from './wiring/http.js';
import { wireKeys } from './wiring/keys.js';
import { wireOAuth2 } from './wiring/oauth2.js';
import { wireObservability } from './wiring/observability.js';
import { wireStorage } from './wiring/storage.js';
import { wireTrust } from './wiring/trust.js';

export interface Container {
  publicApp: RequestListener;
  adminApp: RequestListener;
  /** Start-up work that needs the database; failures are logged, never fatal (the database may be down). */
  start(): Promise<void>;
  close(): Promise<void>;
  /** The ports listen: their base URLs (the built-in dev UI calls the admin port). */
  listening(urls: ListeningUrls): void;
}

export function buildContainer(config: Config, knex: Knex, logger: Logger): Container {
  const context = { config, knex, logger };
  const secrets = new SystemSecrets(config.secretsSystem);
  const storage = wireStorage(context);
  const { metrics, audit, feature: observability } = wireObservability(context);
  const { keys, feature: keyFeature } = wireKeys(context, storage, secrets);
  const idTokens = createIdTokens({ keys, issuer: config.issuer });
  const oauth2 = wireOAuth2(context, { storage, secrets, keys, audit, metrics, idTokens });
  const flows = wireFlows(context, { storage, oauth2: oauth2.shared, idTokens });
  const trust = wireTrust({ storage, keys, audit });
  // Started in this order and closed in the reverse one.
  const features: Feature[] = [storage.feature, observability, keyFeature, oauth2, flows, trust];
  return {
    ...wireHttp(context, metrics, features, {
      clients: storage.clientCache,
      tokenClient: oauth2.tokenClient,
    }),
    async start() {
      for (const feature of features) await feature.start?.();
    },
    async close() {
      for (const feature of [...features].reverse()) await feature.close?.();
    },
    listening(urls) {
      for (const feature of features) feature.listening?.(urls);
    },
  };
}
