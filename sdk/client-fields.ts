// The OAuth2 client's fields as the contract defines them (`sdk/generated/client-fields.ts`, derived from
// openapi.yaml by `npm run generate`), with the types the server, the Terraform provider and the CDKTF constructs
// read them through. They live in the SDK so that none of those has to import another's internals.
import { CLIENT_FIELDS } from './generated/client-fields.js';
import type { components } from './generated/openapi.js';

export { CLIENT_FIELDS };

/** An OAuth 2.0 client on the wire, as the admin API takes and returns it. */
export type OAuth2ClientWire = components['schemas']['oAuth2Client'];
/** Body of PUT /admin/clients/{id}/lifespans. */
export type OAuth2ClientTokenLifespansWire = components['schemas']['oAuth2ClientTokenLifespans'];

/** One entry of the field table. */
export type ClientField = (typeof CLIENT_FIELDS)[number];
export type ClientFieldName = ClientField['name'];
export type ClientFieldKind = ClientField['kind'];
/** The names of the fields of one kind (`'duration'`: the per-grant lifespans). */
export type FieldsOfKind<K extends ClientFieldKind> = Extract<ClientField, { kind: K }>['name'];

/** Each field's allowed values (the contract's `enum` or `x-tollgate-allowed`, without the empty "unset"). */
export const ALLOWED_VALUES = Object.fromEntries(CLIENT_FIELDS.map((f) => [f.name, f.values])) as {
  readonly [F in ClientField as F['name']]: F['values'];
};

/** The per-grant lifespan fields, in Hydra's declaration order (`client.Lifespans`). */
export type LifespanField = FieldsOfKind<'duration'>;
export const LIFESPAN_FIELDS: readonly LifespanField[] = CLIENT_FIELDS.filter(
  (f): f is Extract<ClientField, { kind: 'duration' }> => f.kind === 'duration',
).map((f) => f.name);

/**
 * Signing algorithms Hydra accepts for `private_key_jwt` client assertions (`client/validator.go`): the RSA,
 * RSA-PSS and ECDSA JWS algorithms of RFC 7518 §3.1.
 */
export const AUTH_TOKEN_SIGNING_ALGS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
] as const;
