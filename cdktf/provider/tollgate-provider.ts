// Provider `tollgate`: configuration of the admin API connection and the resources it serves.
import { AdminClient } from './admin-client.js';
import { ProviderError } from './framework/diagnostics.js';
import type { ProviderDefinition } from './framework/resource.js';
import type { Schema } from './framework/schema.js';
import type { ObjectValue } from './protocol/values.js';
import { jwkSetResource } from './resources/jwk-set.js';
import { oauth2ClientResource } from './resources/oauth2-client.js';
import { oauth2ClientDataSource } from './resources/oauth2-client-data.js';
import { trustedJwtGrantIssuerResource } from './resources/trusted-jwt-grant-issuer.js';

export const DEFAULT_RETRIES = 3;

const providerSchema: Schema = {
  version: 0,
  block: {
    description:
      'Tollgate: OAuth 2.0 clients, key sets and trusted JWT bearer grant issuers through the admin API (also works against Ory Hydra).',
    attributes: {
      endpoint: {
        type: 'string',
        optional: true,
        description:
          'Admin API base URL, e.g. `http://127.0.0.1:4445`. Default: environment `TOLLGATE_ADMIN_URL`.',
        validate: (v) =>
          typeof v === 'string' && /^https?:\/\/./.test(v) ? undefined : 'must be an http(s) URL',
      },
      token: {
        type: 'string',
        optional: true,
        sensitive: true,
        description: 'Bearer token for the admin API. Default: environment `TOLLGATE_ADMIN_TOKEN`.',
      },
      headers: {
        type: ['map', 'string'],
        optional: true,
        description: 'Extra HTTP headers on every admin API request (e.g. for a gateway in front of it).',
      },
      retries: {
        type: 'number',
        optional: true,
        description: `How often a request is retried when the server cannot be reached (connection refused or reset). Default: ${DEFAULT_RETRIES}.`,
        validate: (v) =>
          typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 20
            ? undefined
            : 'must be a whole number from 0 to 20',
      },
    },
  },
};

export interface ConnectionSettings {
  endpoint: string | null;
  token: string | null;
  headers: Record<string, string>;
  retries: number;
}

/** Builds the admin client; the endpoint is required by the time the provider is used. */
export function connect(s: ConnectionSettings, signal: AbortSignal, envHint: string): AdminClient {
  if (!s.endpoint) {
    throw new ProviderError(
      'Admin API endpoint not set',
      `Set endpoint in the provider block or the environment variable ${envHint} (e.g. http://127.0.0.1:4445).`,
      ['endpoint'],
    );
  }
  return new AdminClient({
    endpoint: s.endpoint,
    ...(s.token ? { token: s.token } : {}),
    headers: s.headers,
    retries: s.retries,
    signal,
  });
}

const stringOr = (v: unknown, fallback: string | undefined): string | null =>
  typeof v === 'string' && v !== '' ? v : (fallback ?? null);

export const tollgateProvider: ProviderDefinition<AdminClient> = {
  schema: providerSchema,
  configure(config: ObjectValue, signal: AbortSignal) {
    return connect(
      {
        endpoint: stringOr(config.endpoint, process.env.TOLLGATE_ADMIN_URL),
        token: stringOr(config.token, process.env.TOLLGATE_ADMIN_TOKEN),
        headers: (config.headers as Record<string, string> | null) ?? {},
        retries: typeof config.retries === 'number' ? config.retries : DEFAULT_RETRIES,
      },
      signal,
      'TOLLGATE_ADMIN_URL',
    );
  },
  resources: [oauth2ClientResource, jwkSetResource, trustedJwtGrantIssuerResource],
  dataSources: [oauth2ClientDataSource],
};
