// The row of a client both ways. Only this server writes the document (`storedClient` of a validated client),
// so its types, defaults and canonical durations are already right: reading it back copies fields instead of
// re-checking them as Go's decoder would.
import type { ClientFieldKind } from '../../sdk/client-fields.js';
import { type Client, DOMAIN_FIELDS, type StoredClient } from './client.js';
import { renderClient, toStoredForm } from './client-codec.js';

/** The row of a validated client: its stored form rendered as the document, plus the columns. */
export function storedClient(
  client: Client,
  secretHash: string | null,
  createdAt: Date,
  updatedAt: Date,
): StoredClient {
  return {
    client_id: client.client_id,
    client_name: client.client_name,
    owner: client.owner,
    secret_hash: secretHash,
    document: renderClient(toStoredForm(client), { created_at: createdAt, updated_at: updatedAt }),
    created_at: createdAt,
    updated_at: updatedAt,
  };
}

/** A field's value when the document lacks its key: Go's zero value, as the decoder would leave it. */
const UNSET: Record<ClientFieldKind, () => unknown> = {
  string: () => '',
  set: () => [],
  bool: () => false,
  nullableBool: () => null,
  json: () => null,
  duration: () => null,
  integer: () => 0,
  timestamp: () => '',
};

/** Copies what a caller could change in place, so the cached or stored row stays as it was. */
const copy = (value: unknown) =>
  typeof value === 'object' && value !== null ? structuredClone(value) : value;

/**
 * The stored form of the client (lists never null), as `toStoredForm(readClient(document).client)` gives it.
 * A key missing from the document reads as unset, as Go's decoder leaves it.
 */
export function clientFromStored(stored: StoredClient): Client {
  const d = stored.document as Record<string, unknown>;
  const client: Record<string, unknown> = {};
  for (const f of DOMAIN_FIELDS) client[f.name] = d[f.name] == null ? UNSET[f.kind]() : copy(d[f.name]);
  // An unset key set is rendered (and so stored) as `{}`.
  const keys = (d.jwks as { keys?: Record<string, unknown>[] | null } | undefined)?.keys;
  client.jwks = keys == null ? null : { keys: structuredClone(keys) };
  client.client_id = stored.client_id;
  return client as Client;
}
