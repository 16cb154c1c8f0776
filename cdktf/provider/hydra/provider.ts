// Provider `hydra`: the drop-in for svrakitin/hydra. Its provider block (`endpoint`, env HYDRA_ADMIN_URL;
// `authentication`; `retry_policy`) is accepted as is; basic and http_header authentication are applied,
// oauth2 and tls authentication are refused with a clear message rather than silently ignored.
import type { AdminClient } from '../admin-client.js';
import { ProviderError } from '../framework/diagnostics.js';
import type { ProviderDefinition } from '../framework/resource.js';
import type { Block, NestedBlock, Schema } from '../framework/schema.js';
import type { ObjectValue } from '../protocol/values.js';
import { connect, DEFAULT_RETRIES } from '../tollgate-provider.js';
import { hydraJwksDataSource, hydraJwksResource } from './jwks.js';
import { hydraClientResource } from './oauth2-client.js';

const one = (block: Block): NestedBlock => ({ nesting: 'list', maxItems: 1, block });
const s = (description: string, extra = {}) => ({
  type: 'string' as const,
  optional: true,
  description,
  ...extra,
});

const providerSchema: Schema = {
  version: 0,
  block: {
    description: 'Drop-in for the svrakitin/hydra provider, served by Tollgate.',
    attributes: {
      endpoint: s('Admin API URL. Default: environment `HYDRA_ADMIN_URL` (or `TOLLGATE_ADMIN_URL`).'),
    },
    blocks: {
      authentication: one({
        attributes: {},
        blocks: {
          basic: one({
            attributes: {
              username: s('Basic auth user name.'),
              password: s('Basic auth password.', { sensitive: true }),
            },
          }),
          http_header: one({
            attributes: {
              name: s('Header name. Default: Authorization.'),
              value: { type: 'string', required: true, sensitive: true, description: 'Header value.' },
            },
          }),
          oauth2: one({
            attributes: {
              token_endpoint: s('Token endpoint.'),
              client_id: s('Client id.'),
              client_secret: s('Client secret.', { sensitive: true }),
              audience: { type: ['list', 'string'], optional: true, description: 'Audience.' },
              scopes: { type: ['list', 'string'], optional: true, description: 'Scopes.' },
            },
          }),
          tls: one({
            attributes: {
              insecure_skip_verify: { type: 'bool', optional: true, description: 'Skip verification.' },
              certificate: s('PEM client certificate.', { sensitive: true }),
              key: s('PEM client key.', { sensitive: true }),
            },
          }),
        },
      }),
      retry_policy: one({
        attributes: {
          enabled: { type: 'bool', optional: true, description: 'Retry requests that could not connect.' },
          max_elapsed_time: s('Accepted for compatibility.'),
          max_interval: s('Accepted for compatibility.'),
          randomization_factor: s('Accepted for compatibility.'),
        },
      }),
    },
  },
};

const first = (v: unknown): ObjectValue | null =>
  Array.isArray(v) && v.length > 0 ? (v[0] as ObjectValue) : null;

export const hydraProvider: ProviderDefinition<AdminClient> = {
  schema: providerSchema,
  configure(config, signal) {
    const env = process.env;
    const headers: Record<string, string> = {};
    const auth = first(config.authentication);
    const basic = first(auth?.basic);
    if (basic) {
      const user = (basic.username as string | null) ?? env.HYDRA_ADMIN_BASIC_AUTH_USERNAME ?? '';
      const pass = (basic.password as string | null) ?? env.HYDRA_ADMIN_BASIC_AUTH_PASSWORD ?? '';
      headers.authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
    }
    const header = first(auth?.http_header);
    if (header)
      headers[((header.name as string | null) ?? 'Authorization').toLowerCase()] = header.value as string;
    if (first(auth?.oauth2) || first(auth?.tls)) {
      throw new ProviderError(
        'authentication.oauth2 and authentication.tls are not supported by the Tollgate drop-in',
        'Use authentication.http_header (e.g. a bearer token) or the TOLLGATE_ADMIN_TOKEN environment variable.',
        ['authentication'],
      );
    }
    const retry = first(config.retry_policy);
    return connect(
      {
        endpoint: (config.endpoint as string | null) || env.HYDRA_ADMIN_URL || env.TOLLGATE_ADMIN_URL || null,
        token: headers.authorization ? null : (env.TOLLGATE_ADMIN_TOKEN ?? null),
        headers,
        retries: retry && retry.enabled === false ? 0 : DEFAULT_RETRIES,
      },
      signal,
      'HYDRA_ADMIN_URL',
    );
  },
  resources: [hydraClientResource, hydraJwksResource],
  dataSources: [hydraJwksDataSource],
};
