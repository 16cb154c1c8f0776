// The OAuth 2.0 client's attributes, shared by resource `tollgate_oauth2_client` and its data source.
// Names are the admin API's JSON names (openapi.yaml oAuth2Client); this module maps between the two.
import { LIFESPAN_FIELDS } from '../../../sdk/client-fields.js';
import type { OAuth2ClientWire } from '../admin-client.js';
import type { Attribute } from '../framework/schema.js';
import { isUnknown, type ObjectValue, type Value } from '../protocol/values.js';
import { jsonObject, oneOf, sameDuration, sameJson, str, validDuration } from './values.js';

export { LIFESPAN_FIELDS };

/** Strings the server leaves empty when unset. */
export const PLAIN_STRINGS = {
  client_name: 'Human-readable name of the client.',
  owner: 'Free-form owner of the client.',
  policy_uri: "URL of the client's privacy policy.",
  tos_uri: "URL of the client's terms of service.",
  client_uri: 'URL of a page about the client.',
  logo_uri: "URL of the client's logo.",
  sector_identifier_uri: 'HTTPS URL listing the redirect URIs, used for pairwise subject identifiers.',
  jwks_uri: "URL of the client's JSON Web Key set; not together with `jwks`.",
  token_endpoint_auth_signing_alg: "JWS algorithm of the client's `private_key_jwt` assertions.",
  request_object_signing_alg: 'JWS algorithm required for request objects.',
  frontchannel_logout_uri: 'OpenID Connect front-channel logout URL.',
  backchannel_logout_uri: 'OpenID Connect back-channel logout URL.',
  access_token_strategy:
    'Access token format for this client, `jwt` or `opaque`; unset means the server default.',
} as const;

/** Strings the server fills with a default when unset: optional and computed. */
export const DEFAULTED_STRINGS = {
  scope:
    'Space-separated scopes the client may request. Default: the server\'s default scope ("offline_access offline openid").',
  subject_type: 'OpenID Connect subject type, `public` (default) or `pairwise`.',
  token_endpoint_auth_method:
    'Client authentication at the token endpoint: `client_secret_basic` (default), `client_secret_post`, `private_key_jwt` or `none`.',
  userinfo_signed_response_alg: 'Signing algorithm of userinfo responses, `none` (default) or `RS256`.',
} as const;

export const SETS = {
  redirect_uris: 'Allowed redirect URIs.',
  grant_types: 'Allowed grant types, for example `client_credentials`.',
  response_types: 'Allowed response types.',
  audience: 'Audiences the client may request tokens for.',
  allowed_cors_origins: 'Origins allowed to call the public endpoints from a browser.',
  contacts: 'Contacts for the client.',
  request_uris: 'Allowed request_uri values.',
  post_logout_redirect_uris: 'Allowed redirect URIs after logout.',
} as const;

export const BOOLS = {
  frontchannel_logout_session_required: 'Whether `iss` and `sid` are sent to the front-channel logout URL.',
  backchannel_logout_session_required: 'Whether the logout token carries a `sid` claim.',
  skip_consent: 'Skip the consent screen for this client.',
  skip_logout_consent: 'Skip the logout consent screen for this client.',
} as const;

export const JSON_DOCS = {
  jwks: "The client's public keys by value, as a JSON string (`jsonencode({ keys = [...] })`).",
  metadata: 'Free-form metadata as a JSON string (`jsonencode({...})`).',
} as const;

const LIFESPAN_DESCRIPTION =
  'Token lifespan for this grant as a Go duration (`1h`, `90m`); unset means the server default. Equal durations in another spelling (`60m`, `1h0m0s`) are no change.';

/** The client attributes common to resource and data source, for the resource (inputs optional). */
export function clientAttributes(): Record<string, Attribute> {
  const attrs: Record<string, Attribute> = {};
  for (const [n, d] of Object.entries(PLAIN_STRINGS)) attrs[n] = str(d);
  attrs.access_token_strategy = str(PLAIN_STRINGS.access_token_strategy, {
    validate: oneOf('jwt', 'opaque'),
  });
  for (const [n, d] of Object.entries(DEFAULTED_STRINGS)) attrs[n] = str(d, { computed: true });
  attrs.subject_type = { ...attrs.subject_type!, validate: oneOf('public', 'pairwise') };
  attrs.token_endpoint_auth_method = {
    ...attrs.token_endpoint_auth_method!,
    validate: oneOf('client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'),
  };
  for (const [n, d] of Object.entries(SETS))
    attrs[n] = { type: ['set', 'string'], optional: true, description: d };
  for (const [n, d] of Object.entries(BOOLS)) attrs[n] = { type: 'bool', optional: true, description: d };
  for (const [n, d] of Object.entries(JSON_DOCS))
    attrs[n] = str(d, { equal: sameJson, validate: jsonObject });
  for (const n of LIFESPAN_FIELDS)
    attrs[n] = str(LIFESPAN_DESCRIPTION, { equal: sameDuration, validate: validDuration });
  attrs.created_at = { type: 'string', computed: true, description: 'Creation time, set by the server.' };
  attrs.updated_at = {
    type: 'string',
    computed: true,
    unknownOnUpdate: true,
    description: 'Last update time, set by the server.',
  };
  return attrs;
}

const jsonOrNull = (v: unknown): string | null =>
  v !== null && typeof v === 'object' && Object.keys(v).length > 0 ? JSON.stringify(v) : null;

/** The server's client as attribute values (no secret: callers add it when the server returned one). */
export function fromApi(c: OAuth2ClientWire): Record<string, Value | undefined> {
  const raw = c as Record<string, unknown>;
  const out: Record<string, Value | undefined> = { client_id: c.client_id ?? null };
  for (const n of [...Object.keys(PLAIN_STRINGS), ...Object.keys(DEFAULTED_STRINGS)]) {
    out[n] = typeof raw[n] === 'string' ? (raw[n] as string) : null;
  }
  for (const n of Object.keys(SETS)) out[n] = Array.isArray(raw[n]) ? (raw[n] as string[]) : null;
  for (const n of Object.keys(BOOLS)) out[n] = typeof raw[n] === 'boolean' ? (raw[n] as boolean) : null;
  for (const n of Object.keys(JSON_DOCS)) out[n] = jsonOrNull(raw[n]);
  for (const n of LIFESPAN_FIELDS) out[n] = typeof raw[n] === 'string' ? (raw[n] as string) : null;
  out.created_at = c.created_at ?? null;
  out.updated_at = c.updated_at ?? null;
  return out;
}

/** The request body for create and replace from planned values (nulls left out: the server's "unset"). */
export function toApi(v: ObjectValue): OAuth2ClientWire {
  const body: Record<string, unknown> = {};
  const put = (n: string, x: unknown) => {
    if (x !== null && x !== undefined && !isUnknown(x)) body[n] = x;
  };
  put('client_id', v.client_id);
  for (const n of [...Object.keys(PLAIN_STRINGS), ...Object.keys(DEFAULTED_STRINGS)]) put(n, v[n]);
  for (const n of Object.keys(SETS)) put(n, v[n]);
  for (const n of Object.keys(BOOLS)) put(n, v[n]);
  for (const n of Object.keys(JSON_DOCS))
    put(n, typeof v[n] === 'string' ? JSON.parse(v[n] as string) : v[n]);
  for (const n of LIFESPAN_FIELDS) put(n, v[n]);
  return body as OAuth2ClientWire;
}
