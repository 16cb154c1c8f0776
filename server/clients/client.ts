// The client model. The wire shape is the contract's `oAuth2Client` schema; the domain only adds what is
// never sent (the secret's hash).
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
