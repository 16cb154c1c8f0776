// Resource `tollgate_oauth2_client`: one OAuth 2.0 client through the admin API (POST, GET, PUT, DELETE
// /admin/clients). The secret is write-once on the server (returned only by the call that set it), so it
// is never read back: `client_secret` keeps what the create returned, and `client_secret_wo` sends a secret
// without it ever reaching plan or state (changing `client_secret_wo_version` sends it again).
import type { AdminClient } from '../admin-client.js';
import { type Diagnostic, error, ProviderError } from '../framework/diagnostics.js';
import { reconcile } from '../framework/plan.js';
import type { ManagedResource } from '../framework/resource.js';
import type { Schema } from '../framework/schema.js';
import type { ObjectValue, Value } from '../protocol/values.js';
import { describeApiError } from './errors.js';
import { clientAttributes, fromApi, toApi } from './oauth2-client-fields.js';

export const oauth2ClientSchema: Schema = {
  version: 0,
  block: {
    description: 'An OAuth 2.0 client of a Tollgate (or Ory Hydra) server. Import with the client id.',
    attributes: {
      client_id: {
        type: 'string',
        optional: true,
        computed: true,
        forceNew: true,
        description: 'The client id; generated (a UUID) when not set. Changing it replaces the client.',
        validate: (v) => (v === '' ? 'must not be empty; leave it unset to have one generated' : undefined),
      },
      client_secret: {
        type: 'string',
        optional: true,
        computed: true,
        sensitive: true,
        description:
          'The client secret (at least 6 characters); generated when not set, except for public clients. Stored in state: prefer `client_secret_wo`. Never read back from the server, so an imported client has none.',
      },
      client_secret_wo: {
        type: 'string',
        optional: true,
        sensitive: true,
        writeOnly: true,
        description:
          'Write-only client secret (Terraform ≥1.11): sent on create and whenever `client_secret_wo_version` changes, never stored in plan or state.',
      },
      client_secret_wo_version: {
        type: 'number',
        optional: true,
        description: 'Change this number to send `client_secret_wo` again (secret rotation).',
      },
      ...clientAttributes(),
    },
  },
};

const usesWriteOnly = (config: ObjectValue) => config.client_secret_wo !== null;

export const oauth2ClientResource: ManagedResource<AdminClient> = {
  name: 'tollgate_oauth2_client',
  schema: oauth2ClientSchema,

  validate(config) {
    const out: Diagnostic[] = [];
    if (config.client_secret !== null && config.client_secret_wo !== null) {
      out.push(
        error(
          'Conflicting client secrets',
          'Set either client_secret (stored in state) or client_secret_wo (never stored), not both.',
          ['client_secret_wo'],
        ),
      );
    }
    if (config.client_secret_wo_version !== null && config.client_secret_wo === null) {
      out.push(
        error(
          'client_secret_wo_version without client_secret_wo',
          'The version only says when to send client_secret_wo again; set client_secret_wo too.',
          ['client_secret_wo_version'],
        ),
      );
    }
    return out;
  },

  modifyPlan({ planned, config }) {
    // A write-only secret replaces the stored one: the state holds no secret at all.
    if (usesWriteOnly(config) && config.client_secret === null) planned.client_secret = null;
  },

  async create(ctx, planned, config) {
    const body = toApi(planned);
    const secret = usesWriteOnly(config) ? config.client_secret_wo : planned.client_secret;
    if (typeof secret === 'string') body.client_secret = secret;
    const created = await ctx.client
      .createClient(body)
      .catch(describeApiError('create the OAuth 2.0 client'));
    const remote = fromApi(created);
    // The create answer is the only time the server shows the secret.
    remote.client_secret = usesWriteOnly(config) ? undefined : (created.client_secret ?? null);
    return reconcile(oauth2ClientSchema.block, remote, planned);
  },

  async read(ctx, state) {
    const id = state.client_id;
    if (typeof id !== 'string') throw new ProviderError('The state has no client_id');
    const found = await ctx.client.getClient(id).catch(describeApiError(`read OAuth 2.0 client ${id}`));
    if (found === undefined) return null; // deleted outside Terraform
    return reconcile(oauth2ClientSchema.block, fromApi(found), state);
  },

  async update(ctx, prior, planned, config) {
    const id = prior.client_id as string;
    const body = toApi(planned);
    const rotateWriteOnly =
      usesWriteOnly(config) && planned.client_secret_wo_version !== prior.client_secret_wo_version;
    if (rotateWriteOnly) body.client_secret = config.client_secret_wo as string;
    else if (typeof planned.client_secret === 'string' && planned.client_secret !== prior.client_secret) {
      body.client_secret = planned.client_secret;
    }
    const updated = await ctx.client
      .setClient(id, body)
      .catch(describeApiError(`update OAuth 2.0 client ${id}`));
    const remote = fromApi(updated);
    remote.client_secret = undefined; // keep the planned one (the server only echoes what we sent)
    return reconcile(oauth2ClientSchema.block, remote, planned);
  },

  async delete(ctx, prior) {
    const id = prior.client_id as string;
    await ctx.client.deleteClient(id).catch(describeApiError(`delete OAuth 2.0 client ${id}`));
  },

  importState: (id: string): Record<string, Value> => ({ client_id: id }),
};
