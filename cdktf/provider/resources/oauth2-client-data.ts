// Data source `tollgate_oauth2_client`: reads an existing client by id; everything but the id is
// computed, and there is no secret (the server never returns it).
import type { AdminClient } from '../admin-client.js';
import { ProviderError } from '../framework/diagnostics.js';
import type { DataSource } from '../framework/resource.js';
import type { Schema } from '../framework/schema.js';
import type { ObjectValue } from '../protocol/values.js';
import { describeApiError } from './errors.js';
import { clientAttributes, computedOnly, fromApi } from './oauth2-client-fields.js';

const attributes = Object.fromEntries(
  Object.entries(clientAttributes()).map(([n, a]) => [n, computedOnly(a)]),
);

export const oauth2ClientDataSchema: Schema = {
  version: 0,
  block: {
    description:
      'Reads an existing OAuth 2.0 client by id (without its secret, which the server never returns).',
    attributes: {
      client_id: { type: 'string', required: true, description: 'The id of the client to read.' },
      ...attributes,
    },
  },
};

export const oauth2ClientDataSource: DataSource<AdminClient> = {
  name: 'tollgate_oauth2_client',
  schema: oauth2ClientDataSchema,
  async read(ctx, config) {
    const id = config.client_id as string;
    const found = await ctx.client.getClient(id).catch(describeApiError(`read OAuth 2.0 client ${id}`));
    if (found === undefined) throw new ProviderError(`OAuth 2.0 client ${JSON.stringify(id)} does not exist`);
    const remote = fromApi(found);
    const out: ObjectValue = { client_id: id };
    for (const name of Object.keys(attributes)) {
      const v = remote[name] ?? null;
      out[name] = v;
    }
    return out;
  },
};
