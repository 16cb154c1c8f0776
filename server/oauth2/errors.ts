// Typed errors thrown by domain code. `http/error-handler.ts` is the only place that turns them into
// response bodies: always Hydra's two keys, `{"error": ..., "error_description": ...}`.

/** Base of every error that has a defined wire form. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
  ) {
    super(description ? `${error}: ${description}` : error);
  }

  /** The body Hydra sends: fosite and herodot errors both reduce to these two keys. */
  toJSON(): { error: string; error_description: string } {
    // fosite replaces double quotes in descriptions by single quotes (fosite/errors.go).
    return { error: this.error, error_description: this.description.replaceAll('"', "'") };
  }
}

/**
 * RFC 6749 §5.2 error. fosite sends `error_description` as the fixed description of the code, a space, and
 * the hint that explains this occurrence.
 */
export class OAuth2Error extends ApiError {
  constructor(status: number, code: string, description: string, hint?: string) {
    super(status, code, hint ? `${description} ${hint}` : description);
  }
}

const define = (status: number, code: string, description: string) =>
  class extends OAuth2Error {
    static readonly code = code;
    constructor(hint?: string) {
      super(status, code, description, hint);
    }
  };

// Descriptions are fosite's, so error bodies compare equal with Hydra's.
export class InvalidRequest extends define(
  400,
  'invalid_request',
  'The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed.',
) {}
export class InvalidClient extends define(
  401,
  'invalid_client',
  'Client authentication failed (e.g., unknown client, no client authentication included, or unsupported authentication method).',
) {}
export class InvalidGrant extends define(
  400,
  'invalid_grant',
  'The provided authorization grant (e.g., authorization code, resource owner credentials) or refresh token is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.',
) {}
export class UnauthorizedClient extends define(
  400,
  'unauthorized_client',
  'The client is not authorized to request a token using this method.',
) {}
export class UnsupportedGrantType extends define(
  400,
  'unsupported_grant_type',
  'The authorization grant type is not supported by the authorization server.',
) {}
export class InvalidScope extends define(
  400,
  'invalid_scope',
  'The requested scope is invalid, unknown, or malformed.',
) {}
export class UnsupportedTokenType extends define(
  400,
  'unsupported_token_type',
  'The authorization server does not support the revocation of the presented token type. That is, the client tried to revoke an access token on a server not supporting this feature.',
) {}
export class InvalidClientMetadata extends define(
  400,
  'invalid_client_metadata',
  "The value of one of the Client Metadata fields is invalid and the server has rejected this request. Note that an Authorization Server MAY choose to substitute a valid value for any requested parameter of a Client's Metadata.",
) {}
export class InvalidRedirectUri extends define(
  400,
  'invalid_redirect_uri',
  'The value of one or more redirect_uris is invalid.',
) {}
export class ServerError extends define(
  500,
  'server_error',
  'The authorization server encountered an unexpected condition that prevented it from fulfilling the request.',
) {}
/** A dependency (the database) is down: 503, never `invalid_client` (docs/hydra-differences.md). */
export class TemporarilyUnavailable extends define(
  503,
  'temporarily_unavailable',
  'The authorization server is currently unable to handle the request due to a temporary overloading or maintenance of the server.',
) {}

// Admin API errors are herodot errors in Hydra: `error` is herodot's message, `error_description` its reason.

export class NotFoundError extends ApiError {
  constructor(error = 'Unable to locate the resource', description = '') {
    super(404, error, description);
  }
}

export class ConflictError extends ApiError {
  constructor(
    description = '',
    error = 'Unable to insert or update resource because a resource with that value exists already',
  ) {
    super(409, error, description);
  }
}

export class BadRequestError extends ApiError {
  constructor(description: string, error = 'The request was malformed or contained invalid parameters') {
    super(400, error, description);
  }
}

export class MethodNotAllowedError extends ApiError {
  constructor() {
    super(405, 'Method Not Allowed', 'The requested method is not allowed on this route.');
  }
}

/**
 * 429 (RFC 6585 §4): a rate limit or a failed-authentication lockout. RFC 6749 registers no code for it; the
 * body uses `temporarily_unavailable`, the registered code closest in meaning that OAuth 2.0 clients already
 * parse, and the description says which limit applies. The error writer sends `Retry-After` in seconds.
 */
export class TooManyRequests extends OAuth2Error {
  constructor(
    readonly retryAfterSeconds: number,
    hint: string,
  ) {
    super(
      429,
      'temporarily_unavailable',
      'The request was refused because too many requests were made.',
      hint,
    );
  }
}

// The browser flows' errors (fosite's codes and descriptions; /oauth2/auth sends them to the client or to
// urls.error, never as JSON).
export class AccessDenied extends define(
  403,
  'access_denied',
  'The resource owner or authorization server denied the request.',
) {}
export class LoginRequired extends define(
  400,
  'login_required',
  'The Authorization Server requires End-User authentication.',
) {}
export class ConsentRequired extends define(
  400,
  'consent_required',
  'The Authorization Server requires End-User consent.',
) {}
export class RequestForbidden extends define(403, 'request_forbidden', 'The request is not allowed.') {}
export class InvalidState extends define(
  400,
  'invalid_state',
  'The state is missing or does not have enough characters and is therefore considered too weak.',
) {}
export class UnsupportedResponseType extends define(
  400,
  'unsupported_response_type',
  'The authorization server does not support obtaining a token using this method.',
) {}
export class UnsupportedResponseMode extends define(
  400,
  'unsupported_response_mode',
  'The authorization server does not support the requested response mode.',
) {}
export class RegistrationNotSupported extends define(
  400,
  'registration_not_supported',
  'The OP does not support use of the registration parameter.',
) {}
export class InsufficientEntropy extends define(
  400,
  'insufficient_entropy',
  'The request used a security parameter (e.g., anti-replay, anti-csrf) with insufficient entropy.',
) {}
// fosite's flow_refresh.go step 5: refreshing a grant that never had `offline`/`offline_access`.
export class ScopeNotGranted extends define(
  403,
  'scope_not_granted',
  'The token was not granted the requested scope.',
) {}
export class RequestUnauthorized extends define(
  401,
  'request_unauthorized',
  'The request could not be authorized.',
) {}
/** fosite's ErrJTIKnown: an assertion's `jti` was already used (RFC 7523 §3 item 7). */
export class JtiKnown extends define(400, 'jti_known', 'The jti was already used.') {}
export class InvalidToken extends define(401, 'invalid_token', 'Token expired.') {}

// The device authorization grant's token errors (RFC 8628 §3.5; fosite's descriptions).
export class AuthorizationPending extends define(
  400,
  'authorization_pending',
  "The authorization request is still pending as the end user hasn't yet completed the user-interaction steps.",
) {}
export class SlowDown extends define(
  400,
  'slow_down',
  'The authorization request was rate-limited to prevent system overload.',
) {}
export class ExpiredToken extends define(
  400,
  'expired_token',
  'The device_code has expired, and the device authorization session has concluded.',
) {}
/** RFC 8628 §3.5 `access_denied` at the token endpoint: a token error, so 400 (fosite's AccessDenied is 403). */
export class DeviceAccessDenied extends define(
  400,
  'access_denied',
  'The resource owner or authorization server denied the request.',
) {}
