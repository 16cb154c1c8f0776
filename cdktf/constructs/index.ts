// tollgate/cdktf: constructs for Tollgate's Terraform provider, on cdktf 0.21 (or cdktn; see core.ts).
export {
  BrowserAppClient,
  type BrowserAppClientProps,
} from './browser-app-client.js';
export * as l1 from './l1/index.js';
export {
  MACHINE_AUTH_METHODS,
  type MachineAuthMethod,
  MachineClient,
  type MachineClientProps,
} from './machine-client.js';
export {
  AUTH_SIGNING_ALGS,
  GRANT_TYPES,
  type GrantType,
  type IOAuth2Client,
  type JsonWebKeySet,
  OAuth2Client,
  type OAuth2ClientProps,
  TOKEN_ENDPOINT_AUTH_METHODS,
  type TokenEndpointAuthMethod,
  type TokenLifespans,
} from './oauth2-client.js';
export { TollgateProvider, type TollgateProviderProps } from './provider.js';
export {
  jwkThumbprint,
  type PublicJsonWebKey,
  TrustedJwtIssuer,
  type TrustedJwtIssuerProps,
} from './trusted-jwt-issuer.js';
export {
  type SignInClientProps,
  WEB_APP_AUTH_METHODS,
  type WebAppAuthMethod,
  WebAppClient,
  type WebAppClientProps,
} from './web-app-client.js';
