// `tollgate/sdk`: typed clients for Tollgate's (and Hydra's) HTTP API, a client-credentials token source, a
// caching introspector and the helpers of a login and consent app. Runs on any fetch-capable runtime; it loads
// nothing of the server.
export {
  type AdminClient,
  type AdminClientOptions,
  type AdminPaths,
  basicAuthorization,
  type CallMethod,
  type ClientCredentials,
  type ClientOptions,
  createAdminClient,
  createPublicClient,
  formBody,
  type HeadersInput,
  type PublicClient,
  type PublicClientOptions,
  type PublicPaths,
  type TollgateClient,
} from './client.js';
export { AUTH_TOKEN_SIGNING_ALGS, LIFESPAN_FIELDS, type LifespanField } from './client-fields.js';
export { type DeviceVerification, type DeviceVerificationOptions, deviceVerification } from './device.js';
export { canonicalDuration, DurationError, formatDuration, parseDuration } from './duration.js';
export { NetworkError, OAuth2ApiError, type OAuth2ErrorBody, type RequestPolicy } from './errors.js';
export type { components, operations, paths } from './generated/openapi.js';
export {
  bearerToken,
  type IntrospectedToken,
  type IntrospectOptions,
  type Introspector,
  type IntrospectorOptions,
  introspector,
} from './introspector.js';
export {
  type AcceptConsent,
  type AcceptLogin,
  type ConsentRequest,
  DENIED,
  type Gone,
  isGone,
  type LoginConsent,
  type LoginConsentOptions,
  type LoginRequest,
  loginConsent,
  type Reject,
} from './login-consent.js';
export {
  type AssertionAlgorithm,
  type ClientCredentialsOptions,
  clientCredentials,
  discoverTokenEndpoint,
  type PrivateJwk,
  type PrivateKeyJwt,
  type PrivateKeyObject,
  type TokenResponse,
  type TokenSource,
} from './token-source.js';

/** An OAuth 2.0 client as the admin API returns it. */
export type OAuth2Client = import('./client-fields.js').OAuth2ClientWire;
