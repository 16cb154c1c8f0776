// The enabled grants, one line each. The token endpoint answers `unsupported_grant_type` for anything else.
import type { GrantStore, RotationPolicy } from '../../flows/ports.js';
import type { IdTokens } from '../../flows/types.js';
import type { GrantHandler } from '../grant-handler.js';
import {
  type AccessTokenCache,
  createTokenMinter,
  type GrantTokensDeps,
  type GrantTtl,
} from '../grant-tokens.js';
import type { OpaqueTokens } from '../token-strategies.js';
import { authorizationCodeGrant } from './authorization-code.js';
import { type ClientCredentialsDeps, clientCredentialsGrant } from './client-credentials.js';
import { type DeviceCodeDeps, deviceCodeGrant } from './device-code.js';
import { type JwtBearerOptions, jwtBearerGrant } from './jwt-bearer.js';
import { refreshTokenGrant } from './refresh-token.js';

/** What the browser flows' grants (authorization_code, refresh_token) need besides the shared settings. */
export interface FlowGrantDeps {
  grants: GrantStore;
  /** `ory_rt_` and `ory_ac_` (token-strategies.ts). */
  refreshTokens: OpaqueTokens;
  codes: OpaqueTokens;
  idTokens: Pick<IdTokens, 'sign'>;
  ttl: GrantTtl;
  topLevelClaims?: GrantTokensDeps['topLevelClaims'];
  pkce: { enforced: boolean; enforcedForPublicClients: boolean };
  rotation: RotationPolicy;
  /** The access-token cache (TokenCache), so that revocation and rotation take effect on this replica at once. */
  accessTokenCache?: AccessTokenCache;
  /** The device authorization grant (RFC 8628); absent: not served. */
  device?: Pick<DeviceCodeDeps, 'deviceCodes' | 'devices' | 'flows'>;
}

/** Without `flows`, only client_credentials is served; without `jwtBearer`, no RFC 7523 grant. */
export type GrantDeps = ClientCredentialsDeps & { flows?: FlowGrantDeps; jwtBearer?: JwtBearerOptions };

export function createGrants(deps: GrantDeps): GrantHandler[] {
  const grants: GrantHandler[] = [clientCredentialsGrant(deps)];
  const { flows } = deps;
  if (flows) {
    const minter = createTokenMinter({ ...deps, ...flows });
    grants.push(authorizationCodeGrant({ ...flows, minter }));
    grants.push(refreshTokenGrant({ ...deps, ...flows, minter }));
    if (flows.device) grants.push(deviceCodeGrant({ ...flows, ...flows.device, minter }));
  }
  if (deps.jwtBearer) grants.push(jwtBearerGrant({ ...deps, ...deps.jwtBearer }));
  return grants;
}
