// A stored client back into the domain client, without the request decoder. Only this server writes the
// document (`renderClient(toStoredForm(client))` of a validated client), so its types, defaults and canonical
// durations are already right: reading it copies fields instead of re-checking them as Go's decoder would.
import {
  ARRAY_FIELDS,
  BOOLEAN_FIELDS,
  type Client,
  LIFESPAN_FIELDS,
  type LifespanField,
  STRING_FIELDS,
  type StoredClient,
} from './client.js';

type StringField = (typeof STRING_FIELDS)[number];
type ArrayField = (typeof ARRAY_FIELDS)[number];
type BooleanField = (typeof BOOLEAN_FIELDS)[number];

/**
 * The stored form of the client (arrays never null), as `toStoredForm(readClient(document).client)` gives it.
 * A key missing from the document reads as unset, as Go's decoder leaves it. Arrays, keys and metadata are
 * copied, so a caller may change the result without touching the cached or stored row.
 */
export function clientFromStored(stored: StoredClient): Client {
  const d = stored.document;
  const strings = {} as Record<StringField, string>;
  for (const f of STRING_FIELDS) strings[f] = d[f] ?? '';
  const arrays = {} as Record<ArrayField, string[]>;
  for (const f of ARRAY_FIELDS) arrays[f] = [...(d[f] ?? [])];
  const booleans = {} as Record<BooleanField, boolean>;
  for (const f of BOOLEAN_FIELDS) booleans[f] = d[f] ?? false;
  const lifespans = {} as Record<LifespanField, string | null>;
  for (const f of LIFESPAN_FIELDS) lifespans[f] = d[f] ?? null;
  // An unset key set is rendered (and so stored) as `{}`.
  const keys = (d.jwks as { keys?: Record<string, unknown>[] | null } | undefined)?.keys;
  return {
    ...strings,
    ...arrays,
    ...booleans,
    ...lifespans,
    client_id: stored.client_id,
    jwks: keys == null ? null : { keys: structuredClone(keys) },
    metadata: d.metadata == null ? null : structuredClone(d.metadata as Record<string, unknown>),
    skip_logout_consent: d.skip_logout_consent ?? null,
  };
}
