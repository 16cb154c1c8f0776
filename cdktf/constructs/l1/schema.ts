// Attribute tables of the agreed provider schema (the Terraform names) and the mapping from the bindings'
// camelCase config to those names. One table per block keeps the bindings and the schema in one shape.
import { CLIENT_FIELDS, type ClientFieldKind } from '../../../sdk/client-fields.js';
import type { TerraformMetaArguments } from '../core.js';
import {
  booleanToHclTerraform,
  booleanToTerraform,
  hashMapper,
  hashMapperHcl,
  listMapper,
  listMapperHcl,
  numberToHclTerraform,
  numberToTerraform,
  stringToHclTerraform,
  stringToTerraform,
  Token,
} from '../core.js';

export type AttributeKind = 'string' | 'set' | 'bool' | 'number' | 'map';

export type AttributeTable = Readonly<Record<string, AttributeKind>>;

/** `client_secret_wo_version` → `clientSecretWoVersion`. */
export const camelCase = (snake: string): string =>
  snake.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

const MAPPERS: Record<AttributeKind, (value: unknown) => unknown> = {
  string: stringToTerraform,
  bool: booleanToTerraform,
  number: numberToTerraform,
  set: listMapper(stringToTerraform, false),
  // cdktf snake-cases the keys of a provider block's objects (sparing only `tags` and `environment`), which
  // would turn a header `X-Tenant` into `x_tenant`; a token's value is left as it is.
  map: (value) => Token.asAny(hashMapper(stringToTerraform)(value)),
};

type Config = Readonly<Record<string, unknown>>;

/** Renders each attribute of `table` that `config` sets (under its camelCase name); unset ones are left out. */
function render(table: AttributeTable, config: Config, as: (kind: AttributeKind, value: unknown) => unknown) {
  const out: Record<string, unknown> = {};
  for (const [name, kind] of Object.entries(table)) {
    const value = config[camelCase(name)];
    if (value !== undefined) out[name] = as(kind, value);
  }
  return out;
}

/** The Terraform attributes of a config object. */
export const toTerraformAttributes = (table: AttributeTable, config: Config): Record<string, unknown> =>
  render(table, config, (kind, value) => MAPPERS[kind](value));

// For HCL output (SYNTH_HCL_OUTPUT=true, or `cdktf synth --hcl`): each value with how cdktf renders it.
const HCL: Record<
  AttributeKind,
  { map: (value: unknown) => unknown; type: string; storageClassType: string }
> = {
  string: { map: stringToHclTerraform, type: 'simple', storageClassType: 'string' },
  bool: { map: booleanToHclTerraform, type: 'simple', storageClassType: 'boolean' },
  number: { map: numberToHclTerraform, type: 'simple', storageClassType: 'number' },
  set: { map: listMapperHcl(stringToHclTerraform, false), type: 'set', storageClassType: 'stringList' },
  map: {
    map: (value) => Token.asAny(hashMapperHcl(stringToHclTerraform)(value)),
    type: 'map',
    storageClassType: 'stringMap',
  },
};

/** The same attributes in the shape cdktf's HCL renderer takes. */
export const toHclAttributes = (table: AttributeTable, config: Config): Record<string, unknown> =>
  render(table, config, (kind, value) => {
    const { map, type, storageClassType } = HCL[kind];
    return { value: map(value), isBlock: false, type, storageClassType };
  });

/** How each kind of client field is written in Terraform (JSON and durations are strings). */
const CLIENT_KIND: Record<ClientFieldKind, AttributeKind> = {
  string: 'string',
  set: 'set',
  bool: 'bool',
  nullableBool: 'bool',
  integer: 'number',
  json: 'string',
  duration: 'string',
  timestamp: 'string',
};

/** Synthesized attributes come grouped by kind (strings, lists, booleans, JSON, durations), as they always have. */
const KIND_ORDER: Record<ClientFieldKind, number> = {
  string: 0,
  set: 1,
  bool: 2,
  nullableBool: 2,
  integer: 3,
  json: 4,
  duration: 5,
  timestamp: 6,
};

/**
 * Client attributes shared by the resource and the data source (everything but the secret): the contract's
 * fields marked for Terraform that a configuration sets, the same list `Oauth2ClientFieldsConfig` is generated
 * from.
 */
const CLIENT_ATTRIBUTES: AttributeTable = Object.fromEntries(
  CLIENT_FIELDS.filter((f) => f.terraform && !f.readOnly)
    .sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind])
    .map((f) => [f.name, CLIENT_KIND[f.kind]]),
);

/** Resource `tollgate_oauth2_client`: the client attributes plus the secret (kept in state or write-only). */
export const OAUTH2_CLIENT_RESOURCE: AttributeTable = {
  ...CLIENT_ATTRIBUTES,
  client_secret: 'string',
  client_secret_wo: 'string',
  client_secret_wo_version: 'number',
};

/** Data source `tollgate_oauth2_client`: only `client_id` is an argument, the rest is read. */
export const OAUTH2_CLIENT_DATA_SOURCE: AttributeTable = { client_id: 'string' };

/** Every attribute the data source reads (for tests that compare with the provider's schema). */
export const OAUTH2_CLIENT_DATA_SOURCE_ATTRIBUTES: AttributeTable = CLIENT_ATTRIBUTES;

/** Resource `tollgate_jwk_set`. */
export const JWK_SET_RESOURCE: AttributeTable = {
  set_id: 'string',
  alg: 'string',
  use: 'string',
  kid: 'string',
};

/** Resource `tollgate_trusted_jwt_grant_issuer` (every argument forces replacement). */
export const TRUSTED_JWT_GRANT_ISSUER_RESOURCE: AttributeTable = {
  issuer: 'string',
  subject: 'string',
  allow_any_subject: 'bool',
  scope: 'set',
  jwk: 'string',
  expires_at: 'string',
};

/** The `provider "tollgate"` block. */
export const PROVIDER_CONFIG: AttributeTable = {
  endpoint: 'string',
  token: 'string',
  headers: 'map',
  retries: 'number',
};

/** The meta-arguments (provider, count, for_each, …) a binding hands to its base class. */
export const metaArguments = (config: TerraformMetaArguments) => ({
  provider: config.provider,
  dependsOn: config.dependsOn,
  count: config.count,
  lifecycle: config.lifecycle,
  provisioners: config.provisioners,
  connection: config.connection,
  forEach: config.forEach,
});
