// The client model. The wire shape is the contract's `oAuth2Client` schema; the domain only adds what is
// never sent (the secret's hash).
import { CLIENT_FIELDS, type ClientField, type OAuth2ClientWire } from '../../sdk/client-fields.js';
import type { components } from '../../sdk/generated/openapi.js';

export type { OAuth2ClientTokenLifespansWire, OAuth2ClientWire } from '../../sdk/client-fields.js';

/** What the ClientStore persists: the client document (never holding the plaintext secret) plus the hash. */
export interface StoredClient {
  client_id: string;
  client_name: string;
  owner: string;
  /** Hydra's `$pbkdf2-sha256$…` (or imported bcrypt) hash; null for a public client without a secret. */
  secret_hash: string | null;
  /** The full client JSON as GET returns it (no client_secret, registration_access_token, registration_client_uri). */
  document: OAuth2ClientWire;
  /**
   * The storage key (hex SHA-384 of the signature part) of the client's registration access token, checked by
   * RFC 7592 management (registration.ts); null or absent when the client has none. A write that leaves it out
   * keeps the stored one.
   */
  registration_token_signature?: string | null;
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

/** One RFC 6902 operation as the contract describes it (the service also refuses move, copy and test). */
export type JsonPatchOperation = components['schemas']['jsonPatch'];

/** Hydra's `oidc.dynamic_client_registration.default_scope` default, given to clients created without scope. */
export const DEFAULT_CLIENT_SCOPE = 'offline_access offline openid';

/** A client's `jwks` field as read; the key API's JSON Web Key set is `JsonWebKeySet` in keys/jwk.ts. */
export interface ClientJwks {
  keys: Record<string, unknown>[];
}

/** A field a request sets and the domain keeps: not set by the server, and not the secret (which is hashed). */
export type ClientDomainField = Extract<ClientField, { readOnly: false; sensitive: false }>;

/** The domain's fields in the contract's order (Hydra's declaration order). */
export const DOMAIN_FIELDS: readonly ClientDomainField[] = CLIENT_FIELDS.filter(
  (f): f is ClientDomainField => !f.readOnly && !f.sensitive,
);

/** How each kind of field is held: strings are "" when unset, lists and durations null, as Go's zero values. */
interface FieldValue {
  string: string;
  set: string[] | null;
  bool: boolean;
  nullableBool: boolean | null;
  json: Record<string, unknown> | null;
  duration: string | null;
  integer: number;
  timestamp: string;
}

/**
 * A client after reading (and, from `validateClient`, after defaults and validation), one property per domain
 * field of the contract. Lists are null when the caller did not send them: create and PUT responses show that
 * null, the stored document turns it into [] (Hydra stores arrays as JSON text, "[]" when empty). `jwks` and
 * `metadata` are null when unset and render as `{}`; lifespans hold Go's canonical duration, or null for the
 * server default.
 */
export type Client = {
  [F in ClientDomainField as F['name']]: F['name'] extends 'jwks' ? ClientJwks | null : FieldValue[F['kind']];
};
