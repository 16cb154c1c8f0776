// `hydra_oauth2_client` with the attribute names and types of svrakitin/hydra v0.5
// (`internal/provider/resource_oauth2_client.go`), so existing HCL runs unchanged: lists instead of sets,
// `scopes` as a list joined into Hydra's `scope`, `metadata` as map(string) or `metadata_json`, keys as
// `jwk` blocks, `id` = `client_id`. What it does better: lifespans in another spelling (`1h` vs `1h0m0s`)
// never diff, metadata key order never diffs, and a client deleted outside Terraform is planned for
// re-creation instead of failing the refresh.
import {
  CLIENT_FIELDS,
  type ClientField,
  type ClientFieldKind,
  type ClientFieldName,
} from '../../../sdk/client-fields.js';
import type { AdminClient, OAuth2ClientWire } from '../admin-client.js';
import { ProviderError } from '../framework/diagnostics.js';
import { reconcile } from '../framework/plan.js';
import type { ManagedResource } from '../framework/resource.js';
import type { Attribute, Schema } from '../framework/schema.js';
import { isUnknown, type ObjectValue, type Value } from '../protocol/values.js';
import { describeApiError } from '../resources/errors.js';
import { allowedCheck, fromWire, toWire } from '../resources/oauth2-client-fields.js';
import { jsonObject, sameDuration, sameJson, str, validDuration } from '../resources/values.js';
import { jwkBlock, jwkFromApi, jwkToApi } from './jwk.js';

/** Fields svrakitin/hydra shapes its own way, handled by hand below: `id`, `scopes`, `jwk` blocks, metadata. */
const OWN_SHAPE: readonly ClientFieldName[] = ['client_id', 'scope', 'jwks', 'metadata'];
/** Fields svrakitin/hydra v0.5 does not have: its HCL never sets them, and its state never held them. */
const NOT_IN_SVRAKITIN: readonly ClientFieldName[] = [
  'skip_logout_consent',
  'device_authorization_grant_id_token_lifespan',
  'device_authorization_grant_access_token_lifespan',
  'device_authorization_grant_refresh_token_lifespan',
];
// Every other Terraform field of the contract is an attribute here under its JSON name, with svrakitin/hydra's
// types: lists instead of sets, strings the server defaults as optional and computed.
const fields = CLIENT_FIELDS.filter(
  (f) => f.terraform && !f.readOnly && !OWN_SHAPE.includes(f.name) && !NOT_IN_SVRAKITIN.includes(f.name),
);

/** svrakitin/hydra's shape of each kind of field: lists where tollgate has sets, strings that the server defaults
 * optional and computed. A new kind fails the type check here instead of being left out of the schema. */
const attributeOf: Record<ClientFieldKind, (f: ClientField) => Attribute> = {
  string: (f) =>
    f.serverDefault
      ? str(`Hydra's \`${f.name}\` (server default when unset).`, { computed: true })
      : str(`Hydra's \`${f.name}\`.`),
  set: (f) => ({ type: ['list', 'string'], optional: true, description: `Hydra's \`${f.name}\`.` }),
  bool: (f) => ({ type: 'bool', optional: true, description: `Hydra's \`${f.name}\`.` }),
  nullableBool: (f) => ({ type: 'bool', optional: true, description: `Hydra's \`${f.name}\`.` }),
  integer: (f) => ({ type: 'number', optional: true, description: `Hydra's \`${f.name}\`.` }),
  json: (f) =>
    str(`Hydra's \`${f.name}\` as a JSON string (\`jsonencode\`).`, {
      equal: sameJson,
      validate: jsonObject,
    }),
  duration: () =>
    str('Specify a time duration in milliseconds, seconds, minutes, hours.', {
      equal: sameDuration,
      validate: validDuration,
    }),
  timestamp: (f) => str(`Hydra's \`${f.name}\`.`),
};

const attributes: Record<string, Attribute> = {
  id: { type: 'string', computed: true, description: 'The client id (as in svrakitin/hydra).' },
  client_id: {
    type: 'string',
    optional: true,
    computed: true,
    forceNew: true,
    description: 'ID is the id for this client.',
    validate: (v) => (v === '' ? 'must not be empty' : undefined),
  },
  client_secret: {
    type: 'string',
    optional: true,
    computed: true,
    sensitive: true,
    description: "The client's secret; only returned when created, never read back.",
  },
  client_secret_expires_at: {
    type: 'number',
    optional: true,
    description: 'Always 0 (secrets do not expire).',
  },
  scopes: {
    type: ['list', 'string'],
    optional: true,
    computed: true,
    description: 'Scopes, joined into `scope`.',
  },
  metadata: {
    type: ['map', 'string'],
    optional: true,
    description: 'Flat string metadata; conflicts with `metadata_json`.',
  },
  metadata_json: str('Metadata as a JSON string (`jsonencode`); conflicts with `metadata`.', {
    equal: sameJson,
    validate: jsonObject,
  }),
};
for (const f of fields) attributes[f.name] = { ...attributeOf[f.kind](f), ...allowedCheck(f) };

export const hydraClientSchema: Schema = {
  // Version 1: state written by svrakitin/hydra (SDKv2, version 0) is upgraded by `upgrade` below.
  version: 1,
  block: {
    description: 'OAuth 2.0 client (drop-in for svrakitin/hydra `hydra_oauth2_client`).',
    attributes,
    blocks: { jwk: { nesting: 'list', block: jwkBlock() } },
  },
};

const onlyStrings = (o: Record<string, unknown>) => Object.values(o).every((v) => typeof v === 'string');

function fromApi(c: OAuth2ClientWire, reference: ObjectValue): Record<string, Value | undefined> {
  const raw = c as Record<string, unknown>;
  const out: Record<string, Value | undefined> = { id: c.client_id ?? null, client_id: c.client_id ?? null };
  for (const f of fields) out[f.name] = fromWire[f.kind](raw[f.name]);
  out.client_secret_expires_at =
    typeof raw.client_secret_expires_at === 'number' ? raw.client_secret_expires_at : null;
  const scope = typeof c.scope === 'string' ? c.scope.split(' ').filter(Boolean) : [];
  out.scopes = scope.length > 0 ? scope : null;
  // svrakitin/hydra puts flat string metadata in `metadata` and anything else in `metadata_json`; a
  // configuration that already uses one of them keeps using it.
  const metadata = (c.metadata ?? {}) as Record<string, unknown>;
  const empty = Object.keys(metadata).length === 0;
  const asJson = reference.metadata_json !== null || !onlyStrings(metadata);
  out.metadata = empty || asJson ? null : (metadata as Record<string, string>);
  out.metadata_json = empty || !asJson ? null : JSON.stringify(metadata);
  const keys = ((c.jwks as { keys?: Record<string, unknown>[] } | undefined)?.keys ?? []) as Record<
    string,
    unknown
  >[];
  out.jwk = keys.map((k) => jwkFromApi(k, true));
  return out;
}

function toApi(v: ObjectValue): OAuth2ClientWire {
  const body: Record<string, unknown> = {};
  const put = (n: string, x: unknown) => {
    if (x !== null && x !== undefined && !isUnknown(x)) body[n] = x;
  };
  put('client_id', v.client_id);
  for (const f of fields) put(f.name, toWire(f.kind, v[f.name]));
  if (Array.isArray(v.scopes) && v.scopes.length > 0) body.scope = v.scopes.join(' ');
  if (typeof v.metadata_json === 'string') body.metadata = JSON.parse(v.metadata_json);
  else put('metadata', v.metadata);
  if (Array.isArray(v.jwk) && v.jwk.length > 0) body.jwks = { keys: v.jwk.map(jwkToApi) };
  return body as OAuth2ClientWire;
}

/** SDKv2 wrote zero values ("" / false / 0 / []) for everything unset; here unset is null. */
function upgradeFromSdkV2(state: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...state };
  for (const [k, v] of Object.entries(out)) {
    if (v === '' || v === false || v === 0 || (Array.isArray(v) && v.length === 0 && k !== 'jwk'))
      out[k] = null;
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0)
      out[k] = null;
  }
  if (!Array.isArray(out.jwk)) out.jwk = [];
  out.jwk = (out.jwk as Record<string, unknown>[]).map((key) =>
    Object.fromEntries(
      Object.entries(key).map(([k, v]) => [k, v === '' || (Array.isArray(v) && v.length === 0) ? null : v]),
    ),
  );
  out.id ??= out.client_id;
  out.client_id ??= out.id;
  return out;
}

export const hydraClientResource: ManagedResource<AdminClient> = {
  name: 'hydra_oauth2_client',
  schema: hydraClientSchema,

  validate(config) {
    if (config.metadata !== null && config.metadata_json !== null) {
      return [
        {
          severity: 'ERROR',
          summary: 'Conflicting metadata',
          detail: '"metadata": conflicts with metadata_json',
          path: ['metadata_json'],
        },
      ];
    }
    return [];
  },

  modifyPlan({ prior, planned }) {
    // `id` follows client_id (known when configured).
    if (prior === null || isUnknown(planned.client_id)) planned.id = planned.client_id ?? null;
  },

  async create(ctx, planned) {
    const body = toApi(planned);
    if (typeof planned.client_secret === 'string') body.client_secret = planned.client_secret;
    const created = await ctx.client
      .createClient(body)
      .catch(describeApiError('create the OAuth 2.0 client'));
    const remote = fromApi(created, planned);
    remote.client_secret = created.client_secret ?? null;
    return reconcile(hydraClientSchema.block, remote, planned);
  },

  async read(ctx, state) {
    const id = (state.client_id ?? state.id) as string | null;
    if (typeof id !== 'string') throw new ProviderError('The state has no client_id');
    const found = await ctx.client.getClient(id).catch(describeApiError(`read OAuth 2.0 client ${id}`));
    if (found === undefined) return null;
    return reconcile(hydraClientSchema.block, fromApi(found, state), state);
  },

  async update(ctx, prior, planned) {
    const id = prior.client_id as string;
    const body = toApi(planned);
    if (typeof planned.client_secret === 'string' && planned.client_secret !== prior.client_secret) {
      body.client_secret = planned.client_secret;
    }
    const updated = await ctx.client
      .setClient(id, body)
      .catch(describeApiError(`update OAuth 2.0 client ${id}`));
    const remote = fromApi(updated, planned);
    remote.client_secret = undefined;
    return reconcile(hydraClientSchema.block, remote, planned);
  },

  async delete(ctx, prior) {
    const id = prior.client_id as string;
    await ctx.client.deleteClient(id).catch(describeApiError(`delete OAuth 2.0 client ${id}`));
  },

  importState: (id) => ({ id, client_id: id, jwk: [] }),

  upgrade: (_version, state) => upgradeFromSdkV2(state),
};
