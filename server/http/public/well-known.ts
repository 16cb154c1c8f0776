// Public API: discovery (OpenID Connect Discovery 1.0, RFC 8414) and the published keys.
import type { components } from '../../../sdk/generated/openapi.js';
import type { KeyEndpoints } from '../endpoints.js';
import type { Handlers } from '../operations.js';

type Discovery = components['schemas']['oidcConfiguration'];

/** Hydra's discovery document (oauth2/handler.go). There is no introspection_endpoint: introspection is admin-only. */
export function discoveryDocument(issuer: string, publicUrl: string): Discovery {
  const base = publicUrl.replace(/\/+$/, '');
  const iss = issuer.replace(/\/+$/, '');
  return {
    issuer,
    authorization_endpoint: `${base}/oauth2/auth`,
    token_endpoint: `${base}/oauth2/token`,
    jwks_uri: `${iss}/.well-known/jwks.json`,
    revocation_endpoint: `${base}/oauth2/revoke`,
    end_session_endpoint: `${base}/oauth2/sessions/logout`,
    userinfo_endpoint: `${base}/userinfo`,
    device_authorization_endpoint: `${base}/oauth2/device/auth`,
    // Only what this server implements: client_credentials (the other grants arrive later).
    grant_types_supported: ['client_credentials'],
    response_types_supported: [
      'code',
      'code id_token',
      'id_token',
      'token id_token',
      'token',
      'token id_token code',
    ],
    response_modes_supported: ['query', 'fragment', 'form_post'],
    scopes_supported: ['offline_access', 'offline', 'openid'],
    subject_types_supported: ['public'],
    claims_supported: ['sub'],
    // Basic first: it is RFC 6749 §2.3.1's MUST and the default method of a new client, and clients that take the
    // first entry would otherwise send the secret in the body and be refused (Hydra lists post first).
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    code_challenge_methods_supported: ['plain', 'S256'],
    id_token_signing_alg_values_supported: ['RS256'],
    id_token_signed_response_alg: ['RS256'],
    userinfo_signed_response_alg: ['RS256'],
    request_object_signing_alg_values_supported: ['none', 'RS256', 'ES256'],
    userinfo_signing_alg_values_supported: ['none', 'RS256'],
    request_parameter_supported: true,
    request_uri_parameter_supported: true,
    require_request_uri_registration: true,
    claims_parameter_supported: false,
    backchannel_logout_supported: true,
    backchannel_logout_session_supported: true,
    frontchannel_logout_supported: true,
    frontchannel_logout_session_supported: true,
  };
}

export function wellKnownHandlers(options: { issuer: string; publicUrl: string; keys: KeyEndpoints }) {
  const discovery = discoveryDocument(options.issuer, options.publicUrl);
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
