// L1: one class per provider block, named as `cdktf get` would name them.
export { JwkSet, type JwkSetConfig } from './jwk-set.js';
export {
  DataTollgateOauth2Client,
  type DataTollgateOauth2ClientConfig,
  Oauth2Client,
  type Oauth2ClientConfig,
} from './oauth2-client.js';
export { PROVIDER_SOURCE, TollgateProvider, type TollgateProviderConfig } from './provider.js';
export {
  TrustedJwtGrantIssuer,
  type TrustedJwtGrantIssuerConfig,
} from './trusted-jwt-grant-issuer.js';
