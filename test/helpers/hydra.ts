// Hydra's wire facts that several tests assert, written down once, independently of the server's own lists
// (a test that imported the server's list could not fail).

/** The 13 per-grant lifespans of an OAuth2Client, in Hydra v25's declaration order. */
export const HYDRA_LIFESPANS = [
  'authorization_code_grant_access_token_lifespan',
  'authorization_code_grant_id_token_lifespan',
  'authorization_code_grant_refresh_token_lifespan',
  'client_credentials_grant_access_token_lifespan',
  'implicit_grant_access_token_lifespan',
  'implicit_grant_id_token_lifespan',
  'jwt_bearer_grant_access_token_lifespan',
  'refresh_token_grant_id_token_lifespan',
  'refresh_token_grant_access_token_lifespan',
  'refresh_token_grant_refresh_token_lifespan',
  'device_authorization_grant_id_token_lifespan',
  'device_authorization_grant_access_token_lifespan',
  'device_authorization_grant_refresh_token_lifespan',
] as const;

/** The keys of the guide's `POST /admin/clients` response, in order (seed guide, Hydra v25.4.0). */
export const GUIDE_CREATE_RESPONSE_KEYS = [
  'client_id',
  'client_name',
  'client_secret',
  'redirect_uris',
  'grant_types',
  'response_types',
  'scope',
  'audience',
  'owner',
  'policy_uri',
  'allowed_cors_origins',
  'tos_uri',
  'client_uri',
  'logo_uri',
  'contacts',
  'client_secret_expires_at',
  'subject_type',
  'jwks',
  'token_endpoint_auth_method',
  'userinfo_signed_response_alg',
  'created_at',
  'updated_at',
  'metadata',
  'registration_access_token',
  'registration_client_uri',
  'access_token_strategy',
  'skip_consent',
  'skip_logout_consent',
  ...HYDRA_LIFESPANS,
];

/** The keys of an active introspection response, in Hydra's order (oauth2/handler.go). */
export const HYDRA_INTROSPECTION_KEYS = [
  'active',
  'scope',
  'client_id',
  'sub',
  'exp',
  'iat',
  'nbf',
  'aud',
  'iss',
  'token_type',
  'token_use',
];

/** Array fields Hydra stores as JSON text, so that GET and list show `[]` for them when they were never set. */
export const HYDRA_STORED_ARRAYS = [
  'redirect_uris',
  'grant_types',
  'response_types',
  'audience',
  'allowed_cors_origins',
  'contacts',
];
