// The key order of Hydra v25's login and consent bodies (flow/consent_types.go; Go writes struct fields in
// declaration order), for tests that compare Tollgate's bodies with them.
export const LOGIN_REQUEST_KEYS = [
  'challenge',
  'requested_scope',
  'requested_access_token_audience',
  'skip',
  'subject',
  'oidc_context',
  'client',
  'request_url',
  'session_id',
];

export const CONSENT_REQUEST_KEYS = [
  'challenge',
  'consent_request_id',
  'requested_scope',
  'requested_access_token_audience',
  'skip',
  'subject',
  'oidc_context',
  'client',
  'request_url',
  'login_challenge',
  'login_session_id',
  'acr',
  'amr',
];

export const CONSENT_SESSION_KEYS = [
  'consent_request_id',
  'grant_scope',
  'grant_access_token_audience',
  'session',
  'remember',
  'remember_for',
  'handled_at',
  'context',
  'consent_request',
];
