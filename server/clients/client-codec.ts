// Hydra's wire JSON of a client, both ways: reading a request body as Go's encoding/json decodes it into
// `client.Client` (`client/handler.go`), and rendering a client key by key in Hydra's struct declaration order,
// because Go's encoder keeps that order and clients diff responses.

import { canonicalDuration, DurationError, parseDuration } from '../../sdk/duration.js';
import { BadRequestError, InvalidClientMetadata } from '../oauth2/errors.js';
import {
  ARRAY_FIELDS,
  BOOLEAN_FIELDS,
  type Client,
  type ClientJwks,
  LIFESPAN_FIELDS,
  type LifespanField,
  type OAuth2ClientWire,
  STRING_FIELDS,
} from './client.js';

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

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

/** Reads the JSON types of a client body like Go's decoder (unknown keys ignored), without defaults. */
export function readClient(input: unknown): { client: Client; secret: string } {
  if (!isObject(input)) {
    throw new BadRequestError(
      `Unable to decode the request body: json: cannot unmarshal ${input === null ? 'null' : jsonType(input)} into Go value of type client.Client`,
    );
  }
  const strings = Object.fromEntries(STRING_FIELDS.map((f) => [f, readString(input, f)])) as Record<
    (typeof STRING_FIELDS)[number],
    string
  >;
  const arrays = Object.fromEntries(ARRAY_FIELDS.map((f) => [f, readStringArray(input, f)])) as Record<
    (typeof ARRAY_FIELDS)[number],
    string[] | null
  >;
  const booleans = Object.fromEntries(BOOLEAN_FIELDS.map((f) => [f, readBoolean(input, f)])) as Record<
    (typeof BOOLEAN_FIELDS)[number],
    boolean
  >;
  const lifespans = readLifespans(input);

  const secretExpiresAt = input.client_secret_expires_at;
  if (secretExpiresAt !== undefined && secretExpiresAt !== null && typeof secretExpiresAt !== 'number') {
    throw typeError('client_secret_expires_at', secretExpiresAt, 'int');
  }

  const skipLogout = input.skip_logout_consent;
  if (skipLogout !== undefined && skipLogout !== null && typeof skipLogout !== 'boolean') {
    throw typeError('skip_logout_consent', skipLogout, 'sqlxx.NullBool');
  }

  const metadata = input.metadata;
  if (metadata !== undefined && metadata !== null && !isObject(metadata)) {
    throw typeError('metadata', metadata, 'map[string]interface {}');
  }

  return {
    secret: readString(input, 'client_secret'),
    client: {
      ...strings,
      ...arrays,
      ...booleans,
      jwks: readJwks(input.jwks),
      metadata: metadata === undefined || metadata === null ? null : structuredClone(metadata),
      skip_logout_consent: skipLogout === undefined || skipLogout === null ? null : skipLogout,
      ...lifespans,
    },
  };
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
  for (const f of ARRAY_FIELDS) c[f] ??= [];
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
 * The wire JSON, keys in Hydra's declaration order. Go's `omitempty` fields are left out when empty; the
 * others are always present (arrays as null when unset, lifespans as null).
 */
export function renderClient(c: Client, extras: RenderExtras): OAuth2ClientWire {
  const out: Record<string, unknown> = {};
  const put = (key: string, value: unknown) => {
    out[key] = value;
  };
  const omitEmpty = (key: string, value: string | boolean | string[] | null | undefined) => {
    if (value === undefined || value === null || value === '' || value === false) return;
    if (Array.isArray(value) && value.length === 0) return;
    out[key] = value;
  };

  put('client_id', c.client_id);
  put('client_name', c.client_name);
  omitEmpty('client_secret', extras.client_secret);
  put('redirect_uris', c.redirect_uris);
  put('grant_types', c.grant_types);
  put('response_types', c.response_types);
  put('scope', c.scope);
  put('audience', c.audience);
  put('owner', c.owner);
  put('policy_uri', c.policy_uri);
  put('allowed_cors_origins', c.allowed_cors_origins);
  put('tos_uri', c.tos_uri);
  put('client_uri', c.client_uri);
  put('logo_uri', c.logo_uri);
  put('contacts', c.contacts);
  put('client_secret_expires_at', 0); // Hydra: "has to be 0 because it is not supposed to be set"
  put('subject_type', c.subject_type);
  omitEmpty('sector_identifier_uri', c.sector_identifier_uri);
  omitEmpty('jwks_uri', c.jwks_uri);
  put('jwks', c.jwks === null ? {} : structuredClone(c.jwks));
  omitEmpty('token_endpoint_auth_method', c.token_endpoint_auth_method);
  omitEmpty('token_endpoint_auth_signing_alg', c.token_endpoint_auth_signing_alg);
  omitEmpty('request_uris', c.request_uris);
  omitEmpty('request_object_signing_alg', c.request_object_signing_alg);
  omitEmpty('userinfo_signed_response_alg', c.userinfo_signed_response_alg);
  put('created_at', formatCreatedAt(extras.created_at));
  put('updated_at', formatUpdatedAt(extras.updated_at));
  omitEmpty('frontchannel_logout_uri', c.frontchannel_logout_uri);
  omitEmpty('frontchannel_logout_session_required', c.frontchannel_logout_session_required);
  omitEmpty('post_logout_redirect_uris', c.post_logout_redirect_uris);
  omitEmpty('backchannel_logout_uri', c.backchannel_logout_uri);
  omitEmpty('backchannel_logout_session_required', c.backchannel_logout_session_required);
  put('metadata', structuredClone(c.metadata ?? {}));
  omitEmpty('registration_access_token', extras.registration_access_token);
  omitEmpty('registration_client_uri', extras.registration_client_uri);
  omitEmpty('access_token_strategy', c.access_token_strategy);
  put('skip_consent', c.skip_consent);
  put('skip_logout_consent', c.skip_logout_consent);
  for (const f of LIFESPAN_FIELDS) put(f, c[f]);
  // Built dynamically to keep the key order; the contract's `metadata` type (Record<string, never>) is too narrow.
  return out as OAuth2ClientWire;
}
