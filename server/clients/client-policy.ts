// Hydra v25's defaults and validation rules for a client (`client/validator.go`, `client/client.go` BeforeSave),
// applied to a client the codec has read.

import { InvalidClientMetadata, InvalidRedirectUri } from '../oauth2/errors.js';
import {
  AUTH_TOKEN_SIGNING_ALGS,
  type Client,
  DEFAULT_CLIENT_SCOPE,
  isOverlongClientId,
  MAX_CLIENT_ID_LENGTH,
} from './client.js';
import { formatOrigin, type GoUrl, GoUrlError, hostname, parseRequestUri, parseUrl, port } from './go-url.js';

export interface ClientValidatorOptions {
  /** `oidc.dynamic_client_registration.default_scope`, given to a client without scope. */
  defaultScope?: string;
  /**
   * `oidc.subject_identifiers.supported_types` as they apply to this client (Hydra's SubjectTypesSupported(ctx, c):
   * no pairwise for a client whose access tokens are JWTs); `public` is the default when it is listed.
   */
  subjectTypesSupported?: readonly string[] | ((client: Client) => readonly string[]);
  /** `--dev`: an http sector_identifier_uri is accepted (a local test document), as http redirect URIs are. */
  allowHttpSectorUri?: boolean;
}

// Key members go-jose requires before a key is usable (`JSONWebKey.Valid`).
const REQUIRED_KEY_MEMBERS: Record<string, readonly string[]> = {
  RSA: ['n', 'e'],
  EC: ['crv', 'x', 'y'],
  OKP: ['crv', 'x'],
  oct: ['k'],
};

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
      !(AUTH_TOKEN_SIGNING_ALGS as readonly string[]).includes(c.token_endpoint_auth_signing_alg)
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
    // The document itself is fetched and checked by the client service (oidc/pairwise.ts checkSectorDocument).
    let u: GoUrl | undefined;
    try {
      u = parseUrl(c.sector_identifier_uri);
    } catch (err) {
      if (!(err instanceof GoUrlError)) throw err;
      throw invalidMetadata(`Value of sector_identifier_uri could not be parsed because ${err.message}.`);
    }
    if (u.scheme !== 'https' && !(options.allowHttpSectorUri && u.scheme === 'http'))
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

  const configured = options.subjectTypesSupported ?? ['public', 'pairwise'];
  const supported = typeof configured === 'function' ? configured(c) : configured;
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
