// Hydra's wire JSON of a client, both ways: reading a request body as Go's encoding/json decodes it into
// `client.Client` (`client/handler.go`), and rendering a client key by key in Hydra's struct declaration order,
// because Go's encoder keeps that order and clients diff responses.

import { CLIENT_FIELDS, type ClientFieldKind } from '../../sdk/client-fields.js';
import { canonicalDuration, DurationError, parseDuration } from '../../sdk/duration.js';
import { isObject } from '../json.js';
import { BadRequestError, InvalidClientMetadata } from '../oauth2/errors.js';
import {
  type Client,
  type ClientJwks,
  DOMAIN_FIELDS,
  LIFESPAN_FIELDS,
  type LifespanField,
  type OAuth2ClientWire,
} from './client.js';

const jsonType = (v: unknown): string =>
  Array.isArray(v) ? 'array' : typeof v === 'boolean' ? 'bool' : typeof v === 'object' ? 'object' : typeof v;

/** The message Go's encoding/json gives for a value of the wrong type; Hydra wraps it as a 400. */
const typeError = (field: string, value: unknown, goType: string): BadRequestError =>
  new BadRequestError(
    `Unable to decode the request body: json: cannot unmarshal ${jsonType(value)} into Go struct field Client.${field} of type ${goType}`,
  );

function readString(body: Record<string, unknown>, field: string): string {
  const v = body[field];
  if (v === undefined || v === null) return ''; // Go's decoder leaves the zero value for null
  if (typeof v !== 'string') throw typeError(field, v, 'string');
  return v;
}

function readStringArray(body: Record<string, unknown>, field: string): string[] | null {
  const v = body[field];
  if (v === undefined || v === null) return null;
  if (!Array.isArray(v)) throw typeError(field, v, 'sqlxx.StringSliceJSONFormat');
  return v.map((item) => {
    if (typeof item !== 'string') throw typeError(field, item, 'string');
    return item;
  });
}

function readBoolean(body: Record<string, unknown>, field: string): boolean {
  const v = body[field];
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') throw typeError(field, v, 'bool');
  return v;
}

/** Reads a lifespan as Go's `x.NullDuration` does (null → unset) and returns Go's canonical form. */
function readLifespan(body: Record<string, unknown>, field: string): string | null {
  const v = body[field];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw typeError(field, v, 'string');
  let ns: bigint;
  try {
    ns = parseDuration(v);
  } catch (err) {
    if (err instanceof DurationError)
      throw new BadRequestError(`Unable to decode the request body: ${err.message}`);
    throw err;
  }
  // Go accepts "-1h"; the contract's pattern does not, and a negative lifespan would issue expired tokens.
  if (ns < 0n) throw new InvalidClientMetadata(`Field ${field} must not be a negative duration.`);
  return canonicalDuration(v);
}

function readNullableBoolean(body: Record<string, unknown>, field: string): boolean | null {
  const v = body[field];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'boolean') throw typeError(field, v, 'sqlxx.NullBool');
  return v;
}

function readObject(body: Record<string, unknown>, field: string): Record<string, unknown> | null {
  const v = body[field];
  if (v === undefined || v === null) return null;
  if (!isObject(v)) throw typeError(field, v, 'map[string]interface {}');
  return structuredClone(v);
}

function readInteger(body: Record<string, unknown>, field: string): number {
  const v = body[field];
  if (v === undefined || v === null) return 0;
  if (typeof v !== 'number') throw typeError(field, v, 'int');
  return v;
}

/** One reader per kind of field, each refusing a wrong JSON type with Go's message for the field's Go type. */
const READERS: Record<ClientFieldKind, (body: Record<string, unknown>, field: string) => unknown> = {
  string: readString,
  set: readStringArray,
  bool: readBoolean,
  nullableBool: readNullableBoolean,
  json: readObject,
  duration: readLifespan,
  integer: readInteger,
  // Go parses a timestamp it is sent and then overwrites it; Hydra never reports one.
  timestamp: () => undefined,
};

/** Reads the JSON types of a client body like Go's decoder (unknown keys ignored), without defaults. */
export function readClient(input: unknown): { client: Client; secret: string } {
  if (!isObject(input)) {
    throw new BadRequestError(
      `Unable to decode the request body: json: cannot unmarshal ${input === null ? 'null' : jsonType(input)} into Go value of type client.Client`,
    );
  }
  const client: Record<string, unknown> = {};
  for (const f of DOMAIN_FIELDS) {
    client[f.name] = f.name === 'jwks' ? readJwks(input.jwks) : READERS[f.kind](input, f.name);
  }
  // Fields the server sets are still decoded by Go, so a wrong type is refused like any other.
  for (const f of CLIENT_FIELDS) if (f.readOnly) READERS[f.kind](input, f.name);
  return { secret: readString(input, 'client_secret'), client: client as Client };
}

/** Reads the body of PUT /admin/clients/{id}/lifespans: all 13 fields, absent or null meaning "server default". */
export function readLifespans(input: unknown): Record<LifespanField, string | null> {
  if (!isObject(input)) {
    throw new BadRequestError(
      `Unable to decode the request body: json: cannot unmarshal ${input === null ? 'null' : jsonType(input)} into Go value of type client.Lifespans`,
    );
  }
  return Object.fromEntries(LIFESPAN_FIELDS.map((f) => [f, readLifespan(input, f)])) as Record<
    LifespanField,
    string | null
  >;
}

/** `{}` and null both mean "no key set": Hydra renders an unset set as `{}`, so it must read back as unset. */
function readJwks(v: unknown): ClientJwks | null {
  if (v === undefined || v === null) return null;
  if (!isObject(v)) throw typeError('jwks', v, 'x.JoseJSONWebKeySet');
  if (v.keys === undefined || v.keys === null) return null;
  if (!Array.isArray(v.keys)) throw typeError('jwks.keys', v.keys, '[]jose.JSONWebKey');
  const keys = v.keys.map((k) => {
    if (!isObject(k)) throw typeError('jwks.keys', k, 'jose.JSONWebKey');
    return structuredClone(k);
  });
  return { keys };
}

/** The stored form: every array that was not sent becomes [] (Hydra: "[]" text in the database). */
export function toStoredForm(client: Client): Client {
  const c = structuredClone(client);
  const lists = c as Record<string, unknown>;
  for (const f of DOMAIN_FIELDS) if (f.kind === 'set') lists[f.name] ??= [];
  return c;
}

/** `created_at`: whole seconds, UTC, no fraction (`2025-11-07T12:00:00Z`). */
export function formatCreatedAt(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

/**
 * `updated_at`: Hydra stores microseconds (`…12:00:00.123456Z`); a JS Date has milliseconds, printed as six
 * fractional digits.
 */
export function formatUpdatedAt(date: Date): string {
  return `${date.toISOString().slice(0, 23)}000Z`;
}

export interface RenderExtras {
  created_at: Date;
  updated_at: Date;
  client_secret?: string;
  registration_access_token?: string;
  registration_client_uri?: string;
}

/**
 * The wire JSON, keys in Hydra's declaration order (the contract's). Go's `omitempty` fields are left out when
 * empty; the others are always present (lists as null when unset, lifespans as null, `jwks` and `metadata` as
 * `{}`). What the server sets comes from `extras`.
 */
export function renderClient(c: Client, extras: RenderExtras): OAuth2ClientWire {
  const set: Record<string, unknown> = {
    client_secret: extras.client_secret,
    client_secret_expires_at: 0, // Hydra: "has to be 0 because it is not supposed to be set"
    created_at: formatCreatedAt(extras.created_at),
    updated_at: formatUpdatedAt(extras.updated_at),
    registration_access_token: extras.registration_access_token,
    registration_client_uri: extras.registration_client_uri,
  };
  const fields = c as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const f of CLIENT_FIELDS) {
    let value = f.readOnly || f.sensitive ? set[f.name] : fields[f.name];
    if (f.kind === 'json') value = structuredClone(value ?? {});
    if (f.omitEmpty && isEmpty(value)) continue;
    out[f.name] = value;
  }
  // Built dynamically to keep the key order; the contract's `metadata` type (Record<string, never>) is too narrow.
  return out as OAuth2ClientWire;
}

const isEmpty = (value: unknown) =>
  value === undefined ||
  value === null ||
  value === '' ||
  value === false ||
  (Array.isArray(value) && value.length === 0);
