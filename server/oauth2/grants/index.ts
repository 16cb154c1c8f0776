// The enabled grants, one line each. The token endpoint answers `unsupported_grant_type` for anything else.
import type { GrantHandler } from '../grant-handler.js';
import { type ClientCredentialsDeps, clientCredentialsGrant } from './client-credentials.js';

export type GrantDeps = ClientCredentialsDeps;

export function createGrants(deps: GrantDeps): GrantHandler[] {
  return [clientCredentialsGrant(deps)];
}
