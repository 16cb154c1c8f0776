// The client model. The wire shape is the contract's `oAuth2Client` schema; the domain only adds what is
// never sent (the secret's hash).
import type { LifespanField } from '../../sdk/client-fields.js';
import type { components } from '../../sdk/generated/openapi.js';

export type OAuth2ClientWire = components['schemas']['oAuth2Client'];

/** What the ClientStore persists: the client document (never holding the plaintext secret) plus the hash. */
export interface StoredClient {
  client_id: string;
  client_name: string;
  owner: string;
  /** Hydra's `$pbkdf2-sha256$…` (or imported bcrypt) hash; null for a public client without a secret. */
  secret_hash: string | null;
  /** The full client JSON as GET returns it (no client_secret, registration_access_token, registration_client_uri). */
  document: OAuth2ClientWire;
  created_at: Date;
  updated_at: Date;
}

/** Hydra stores client ids in a VARCHAR(255): a longer one cannot name a client. */
export const MAX_CLIENT_ID_LENGTH = 255;

/** True when `id` is longer than any client id can be (counted in characters, as PostgreSQL does). */
export function isOverlongClientId(id: string): boolean {
  if (id.length <= MAX_CLIENT_ID_LENGTH) return false;
  // Only astral characters take two UTF-16 units; past twice the bound no count can bring it back under.
  if (id.length > 2 * MAX_CLIENT_ID_LENGTH) return true;
  let characters = 0;
  for (const _ of id) characters++;
  return characters > MAX_CLIENT_ID_LENGTH;
}

export { AUTH_TOKEN_SIGNING_ALGS, LIFESPAN_FIELDS, type LifespanField } from '../../sdk/client-fields.js';

/** A create or replace request body: every field may be absent (or null, which Go's decoder treats alike). */
export type OAuth2ClientInputWire = Partial<OAuth2ClientWire>;

/** Body of PUT /admin/clients/{id}/lifespans. */
export type OAuth2ClientTokenLifespansWire = components['schemas']['oAuth2ClientTokenLifespans'];

/** One RFC 6902 operation as the contract describes it (the service also refuses move, copy and test). */
export type JsonPatchOperation = components['schemas']['jsonPatch'];

/** Hydra's `oidc.dynamic_client_registration.default_scope` default, given to clients created without scope. */
export const DEFAULT_CLIENT_SCOPE = 'offline_access offline openid';

/** A client's `jwks` field as read; the key API's JSON Web Key set is `JsonWebKeySet` in keys/jwk.ts. */
export interface ClientJwks {
  keys: Record<string, unknown>[];
}

/**
 * A client after reading (and, from `validateClient`, after defaults and validation). Strings are "" when unset.
 * Arrays are null when the caller did not send them: create and PUT responses show that null, the stored
 * document turns it into [] (Hydra stores arrays as JSON text, "[]" when empty).
 */
export type Client = {
  client_id: string;
  client_name: string;
  redirect_uris: string[] | null;
  grant_types: string[] | null;
  response_types: string[] | null;
  scope: string;
  audience: string[] | null;
  owner: string;
  policy_uri: string;
  allowed_cors_origins: string[] | null;
  tos_uri: string;
  client_uri: string;
  logo_uri: string;
  contacts: string[] | null;
  subject_type: string;
  sector_identifier_uri: string;
  jwks_uri: string;
  /** null when unset; renders as `{}`. */
  jwks: ClientJwks | null;
  token_endpoint_auth_method: string;
  token_endpoint_auth_signing_alg: string;
  request_uris: string[] | null;
  request_object_signing_alg: string;
  userinfo_signed_response_alg: string;
  frontchannel_logout_uri: string;
  frontchannel_logout_session_required: boolean;
  post_logout_redirect_uris: string[] | null;
  backchannel_logout_uri: string;
  backchannel_logout_session_required: boolean;
  /** null when unset; BeforeSave turns it into `{}`. */
  metadata: Record<string, unknown> | null;
  access_token_strategy: string;
  skip_consent: boolean;
  skip_logout_consent: boolean | null;
} & {
  /** Go's canonical duration string, or null for the server default. */
  [K in LifespanField]: string | null;
};

// The client's fields by Go type, which decides how each one is read and what an unset one is.
export const ARRAY_FIELDS = [
  'redirect_uris',
  'grant_types',
  'response_types',
  'audience',
  'allowed_cors_origins',
  'contacts',
  'request_uris',
  'post_logout_redirect_uris',
] as const;

export const STRING_FIELDS = [
  'client_id',
  'client_name',
  'scope',
  'owner',
  'policy_uri',
  'tos_uri',
  'client_uri',
  'logo_uri',
  'subject_type',
  'sector_identifier_uri',
  'jwks_uri',
  'token_endpoint_auth_method',
  'token_endpoint_auth_signing_alg',
  'request_object_signing_alg',
  'userinfo_signed_response_alg',
  'frontchannel_logout_uri',
  'backchannel_logout_uri',
  'access_token_strategy',
] as const;

export const BOOLEAN_FIELDS = [
  'frontchannel_logout_session_required',
  'backchannel_logout_session_required',
  'skip_consent',
] as const;
