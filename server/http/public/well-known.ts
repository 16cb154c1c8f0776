// Public API: discovery (OpenID Connect Discovery 1.0, RFC 8414) and the published keys.
import { AUTH_TOKEN_SIGNING_ALGS } from '../../../sdk/client-fields.js';
import type { components } from '../../../sdk/generated/openapi.js';
import type { KeyEndpoints } from '../endpoints.js';
import type { Handlers } from '../operations.js';

type Discovery = components['schemas']['oidcConfiguration'];

/** `webfinger.oidc_discovery.*`: what discovery advertises beyond what the server always supports. */
export interface DiscoveryOptions {
  /** `supported_claims`, after `sub`. */
  supportedClaims?: readonly string[];
  /** `supported_scope`, after `offline_access offline openid`. */
  supportedScope?: readonly string[];
  /** `oidc.subject_identifiers.supported_types` in effect (oidc/pairwise.ts subjectTypesSupported); [public] when absent. */
  subjectTypesSupported?: readonly string[];
  /**
   * `registration_endpoint`: Hydra advertises `webfinger.oidc_discovery.client_registration_url` only;
   * Tollgate also advertises its own /oauth2/register while dynamic registration is enabled.
   */
  registrationEndpoint?: string;
}

const unique = (values: readonly string[]) => [...new Set(values)];

/**
 * Hydra's discovery document (oauth2/handler.go), its fields in the order Hydra writes them. There is no
 * introspection_endpoint: introspection is admin-only. Request objects and PKCE `plain`, which Hydra
 * advertises and then refuses, are advertised as unsupported.
 */
export function discoveryDocument(
  issuer: string,
  publicUrl: string,
  options: DiscoveryOptions = {},
): Discovery {
  const base = publicUrl.replace(/\/+$/, '');
  const iss = issuer.replace(/\/+$/, '');
  return {
    issuer,
    authorization_endpoint: `${base}/oauth2/auth`,
    device_authorization_endpoint: `${base}/oauth2/device/auth`,
    token_endpoint: `${base}/oauth2/token`,
    jwks_uri: `${iss}/.well-known/jwks.json`,
    subject_types_supported: [...(options.subjectTypesSupported ?? ['public'])],
    response_types_supported: [
      'code',
      'code id_token',
      'id_token',
      'token id_token',
      'token',
      'token id_token code',
    ],
    claims_supported: unique(['sub', ...(options.supportedClaims ?? [])]),
    // As Hydra v25 lists them; Hydra serves jwt-bearer (RFC 7523) without listing it, Tollgate lists it
    // (RFC 8414 §2), so clients that read discovery find it.
    grant_types_supported: [
      'authorization_code',
      'implicit',
      'client_credentials',
      'refresh_token',
      'urn:ietf:params:oauth:grant-type:device_code',
      'urn:ietf:params:oauth:grant-type:jwt-bearer',
    ],
    response_modes_supported: ['query', 'fragment', 'form_post'],
    userinfo_endpoint: `${base}/userinfo`,
    scopes_supported: unique(['offline_access', 'offline', 'openid', ...(options.supportedScope ?? [])]),
    // Basic first: it is RFC 6749 §2.3.1's MUST and the default method of a new client, and clients that take the
    // first entry would otherwise send the secret in the body and be refused (Hydra lists post first).
    token_endpoint_auth_methods_supported: [
      'client_secret_basic',
      'client_secret_post',
      'private_key_jwt',
      'none',
    ],
    userinfo_signing_alg_values_supported: ['none', 'RS256'],
    id_token_signing_alg_values_supported: ['RS256'],
    id_token_signed_response_alg: ['RS256'],
    userinfo_signed_response_alg: ['RS256'],
    // Request objects (JAR) are refused at /oauth2/auth; Hydra advertises true.
    request_parameter_supported: false,
    request_uri_parameter_supported: false,
    require_request_uri_registration: true,
    claims_parameter_supported: false,
    revocation_endpoint: `${base}/oauth2/revoke`,
    backchannel_logout_supported: true,
    backchannel_logout_session_supported: true,
    frontchannel_logout_supported: true,
    frontchannel_logout_session_supported: true,
    end_session_endpoint: `${base}/oauth2/sessions/logout`,
    request_object_signing_alg_values_supported: ['none', 'RS256', 'ES256'],
    // Hydra lists `plain` too, then refuses it (fositex: plain disabled); RFC 8414 §2 lists what is supported.
    code_challenge_methods_supported: ['S256'],
    // RFC 8414 §2: the private_key_jwt algorithms (token_endpoint_auth_signing_alg). Hydra has no such field, so
    // it comes after Hydra's fields.
    token_endpoint_auth_signing_alg_values_supported: [...AUTH_TOKEN_SIGNING_ALGS],
    ...(options.registrationEndpoint !== undefined && {
      registration_endpoint: options.registrationEndpoint,
    }),
  };
}

export function wellKnownHandlers(
  options: { issuer: string; publicUrl: string; keys: KeyEndpoints } & DiscoveryOptions,
) {
  const discovery = discoveryDocument(options.issuer, options.publicUrl, options);
  return {
    async discoverOidcConfiguration() {
      return { status: 200, body: discovery };
    },
    async discoverOAuth2AuthorizationServer() {
      return { status: 200, body: discovery };
    },
    async discoverJsonWebKeys() {
      return { status: 200, body: await options.keys.publicKeys() };
    },
  } satisfies Handlers;
}
