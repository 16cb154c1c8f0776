// Reading, defaulting, validating and rendering a client the way Hydra v25 does (`client/validator.go`,
// `client/client.go` BeforeSave, `client/handler.go`). The wire JSON is built key by key in Hydra's struct
// declaration order, because Go's encoder keeps that order and clients diff responses.

import { canonicalDuration, DurationError, parseDuration } from '../../sdk/duration.js';
import { BadRequestError, InvalidClientMetadata, InvalidRedirectUri } from '../oauth2/errors.js';
import {
  AUTH_TOKEN_SIGNING_ALGS,
  DEFAULT_CLIENT_SCOPE,
  isOverlongClientId,
  LIFESPAN_FIELDS,
  type LifespanField,
  MAX_CLIENT_ID_LENGTH,
  type OAuth2ClientWire,
} from './client.js';
import { formatOrigin, type GoUrl, GoUrlError, hostname, parseRequestUri, parseUrl, port } from './go-url.js';

export interface ClientValidatorOptions {
  /** `oidc.dynamic_client_registration.default_scope`, given to a client without scope. */
  defaultScope?: string;
  /** `oidc.subject_identifiers.supported_types`; `public` is the default when it is listed. */
  subjectTypesSupported?: readonly string[];
}

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

const ARRAY_FIELDS = [
  'redirect_uris',
  'grant_types',
  'response_types',
  'audience',
  'allowed_cors_origins',
  'contacts',
  'request_uris',
  'post_logout_redirect_uris',
] as const;

const STRING_FIELDS = [
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

const BOOLEAN_FIELDS = [
  'frontchannel_logout_session_required',
  'backchannel_logout_session_required',
  'skip_consent',
] as const;

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

// Key members go-jose requires before a key is usable (`JSONWebKey.Valid`).
const REQUIRED_KEY_MEMBERS: Record<string, readonly string[]> = {
  RSA: ['n', 'e'],
  EC: ['crv', 'x', 'y'],
  OKP: ['crv', 'x'],
  oct: ['k'],
};

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

const invalidMetadata = (hint: string) => new InvalidClientMetadata(hint);

/** Go's `%v` of a string slice. */
const goList = (items: readonly string[]) => `[${items.join(' ')}]`;

/**
 * Applies Hydra's defaults and validation rules, in Hydra's order (so the first error reported is Hydra's).
 * `secret` is the plaintext the caller sent ("" when none); it is only checked here.
 */
export function validateClient(client: Client, secret: string, options: ClientValidatorOptions = {}): Client {
  const c: Client = structuredClone(client);

  // Tollgate: Hydra's column is a VARCHAR(255), so a longer id fails there with a database error.
  if (isOverlongClientId(c.client_id)) {
    throw invalidMetadata(`Field client_id must be at most ${MAX_CLIENT_ID_LENGTH} characters long.`);
  }

  if (c.token_endpoint_auth_method === '') {
    c.token_endpoint_auth_method = 'client_secret_basic';
  } else if (c.token_endpoint_auth_method === 'private_key_jwt') {
    if (c.jwks_uri === '' && c.jwks === null) {
      throw invalidMetadata(
        "When token_endpoint_auth_method is 'private_key_jwt', either jwks or jwks_uri must be set.",
      );
    }
    if (
      c.token_endpoint_auth_signing_alg !== '' &&
      !AUTH_TOKEN_SIGNING_ALGS.includes(c.token_endpoint_auth_signing_alg)
    ) {
      throw invalidMetadata(
        'Only RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384 and ES512 are supported as algorithms for private key authentication.',
      );
    }
  }

  if (c.jwks_uri !== '' && c.jwks !== null) {
    throw invalidMetadata('Fields jwks and jwks_uri can not both be set, you must choose one.');
  }

  for (const key of c.jwks?.keys ?? []) {
    const required = typeof key.kty === 'string' ? REQUIRED_KEY_MEMBERS[key.kty] : undefined;
    if (required === undefined || !required.every((m) => typeof key[m] === 'string' && key[m] !== '')) {
      throw invalidMetadata('Invalid JSON web key in set.');
    }
  }

  if (c.tos_uri !== '') {
    let u: GoUrl;
    try {
      u = parseRequestUri(c.tos_uri);
    } catch {
      throw invalidMetadata('Field tos_uri must be a valid URI.');
    }
    if (u.scheme !== 'https' && u.scheme !== 'http') {
      throw invalidMetadata(`tos_uri ${c.tos_uri} must use https:// or http:// as HTTP scheme.`);
    }
  }

  // Go's len() counts bytes.
  const secretBytes = Buffer.byteLength(secret, 'utf8');
  if (secretBytes > 0 && secretBytes < 6) {
    throw invalidMetadata('Field client_secret must contain a secret that is at least 6 characters long.');
  }

  if (c.scope === '') c.scope = options.defaultScope ?? DEFAULT_CLIENT_SCOPE;

  if (c.allowed_cors_origins !== null) {
    c.allowed_cors_origins = c.allowed_cors_origins.map((origin) => {
      let u: GoUrl;
      try {
        u = parseUrl(origin);
      } catch (err) {
        if (!(err instanceof GoUrlError)) throw err;
        throw invalidMetadata(
          `Origin URL ${origin} from allowed_cors_origins could not be parsed: ${err.message}`,
        );
      }
      if (u.scheme !== 'https' && u.scheme !== 'http') {
        throw invalidMetadata(`Origin URL ${origin} must use https:// or http:// as HTTP scheme.`);
      }
      if (u.user !== null && u.user !== '') {
        throw invalidMetadata(`Origin URL ${origin} has HTTP user and/or password set which is not allowed.`);
      }
      // A trailing "/" is tolerated and dropped; any other path, a query or a fragment is not.
      if (u.path.replace(/\/+$/, '') !== '' || u.rawQuery !== '' || u.fragment !== '' || u.opaque !== '') {
        throw invalidMetadata(
          `Origin URL ${origin} must have an empty path, query, and fragment but one of the parts is not empty.`,
        );
      }
      return formatOrigin(u);
    });
  }

  if (c.sector_identifier_uri !== '') {
    // Hydra also fetches the document and checks it lists every redirect URI; Tollgate does not fetch it
    // (no outbound HTTP from the admin API), so only the scheme rule applies.
    let u: GoUrl | undefined;
    try {
      u = parseUrl(c.sector_identifier_uri);
    } catch (err) {
      if (!(err instanceof GoUrlError)) throw err;
      throw invalidMetadata(`Value of sector_identifier_uri could not be parsed because ${err.message}.`);
    }
    if (u.scheme !== 'https')
      throw invalidMetadata('Value sector_identifier_uri must be an HTTPS URL but it is not.');
  }

  if (c.userinfo_signed_response_alg === '') c.userinfo_signed_response_alg = 'none';
  if (c.userinfo_signed_response_alg !== 'none' && c.userinfo_signed_response_alg !== 'RS256') {
    throw invalidMetadata("Field userinfo_signed_response_alg can either be 'none' or 'RS256'.");
  }

  const redirects = (c.redirect_uris ?? []).map((r) => {
    if (r.includes('#')) throw new InvalidRedirectUri('Redirect URIs must not contain fragments (#).');
    try {
      return parseRequestUri(r);
    } catch (err) {
      if (!(err instanceof GoUrlError)) throw err;
      throw new InvalidRedirectUri(`Unable to parse redirect URL: ${r}`);
    }
  });

  const supported = options.subjectTypesSupported ?? ['public', 'pairwise'];
  if (c.subject_type !== '') {
    if (!supported.includes(c.subject_type)) {
      throw invalidMetadata(
        `Subject type ${c.subject_type} is not supported by server, only ${goList(supported)} are allowed.`,
      );
    }
  } else {
    c.subject_type = supported.includes('public') ? 'public' : (supported[0] ?? 'public');
  }

  for (const l of c.post_logout_redirect_uris ?? []) {
    let u: GoUrl;
    try {
      u = parseRequestUri(l);
    } catch (err) {
      if (!(err instanceof GoUrlError)) throw err;
      throw invalidMetadata(`Unable to parse post_logout_redirect_uri: ${l}`);
    }
    const matches = redirects.some(
      (r) => r.scheme === u.scheme && hostname(r) === hostname(u) && port(r) === port(u),
    );
    if (!matches) {
      throw invalidMetadata(
        `post_logout_redirect_uri ${JSON.stringify(l)} must match the domain, port, scheme of at least one of the registered redirect URIs but did not`,
      );
    }
  }

  if (c.access_token_strategy !== '') {
    const strategy = c.access_token_strategy.toLowerCase();
    if (strategy !== 'jwt' && strategy !== 'opaque') {
      throw invalidMetadata(
        `invalid access token strategy: expected one of [jwt, opaque] but got ${strategy}`,
      );
    }
    c.access_token_strategy = strategy;
  }

  // BeforeSave: these are never stored as NULL.
  c.audience ??= [];
  c.allowed_cors_origins ??= [];
  c.metadata ??= {};
  return c;
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

/** Truncates to whole seconds, as `created_at` is kept. */
export const floorToSecond = (date: Date): Date => new Date(Math.floor(date.getTime() / 1000) * 1000);

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
