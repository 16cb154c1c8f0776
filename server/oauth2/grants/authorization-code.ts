// RFC 6749 §4.1.3: redeeming an authorization code, in fosite's order
// (fosite/handler/oauth2/flow_authorize_code_token.go, then the PKCE and OpenID Connect handlers): the client's
// grant, the code (unknown, reused, expired), its client, the redirect URI, PKCE, the ID token's checks, then
// the tokens, stored in one transaction with the code's redemption.

import { verifyPkce } from '../../flows/pkce.js';
import type { GrantStore } from '../../flows/ports.js';
import type { FlowRecord } from '../../flows/types.js';
import { isPublicClient } from '../client-authentication.js';
import { InsufficientEntropy, InvalidGrant } from '../errors.js';
import { formValue } from '../form.js';
import type { GrantHandler, TokenResponse } from '../grant-handler.js';
import {
  type GrantRevocation,
  offlineGranted,
  openidGranted,
  revokeGrant,
  type TokenMinter,
} from '../grant-tokens.js';
import type { OpaqueTokens } from '../token-strategies.js';
import { allowsGrant, requireGrant } from './client-credentials.js';

export interface AuthorizationCodeDeps extends GrantRevocation {
  codes: Pick<OpaqueTokens, 'validate'>;
  grants: Pick<GrantStore, 'code' | 'redeemCode' | 'revokeGrant'>;
  minter: TokenMinter;
  /** `oauth2.pkce.enforced` and `oauth2.pkce.enforced_for_public_clients`. */
  pkce: { enforced: boolean; enforcedForPublicClients: boolean };
}

const GRANT_TYPE = 'authorization_code';
// fosite's MinParameterEntropy.
const MIN_NONCE_LENGTH = 8;

export function authorizationCodeGrant(deps: AuthorizationCodeDeps) {
  const reused = async (requestId: string): Promise<never> => {
    // A second redemption revokes everything the code gave out (RFC 6749 §4.1.2).
    await revokeGrant(deps, requestId);
    throw new InvalidGrant('The authorization code has already been used.');
  };

  return {
    grantType: GRANT_TYPE,
    parameters: ['code', 'redirect_uri', 'code_verifier'],

    async handle({ client, form, now, hook }): Promise<TokenResponse> {
      requireGrant(client, GRANT_TYPE);

      // A code that fails its HMAC cannot have a row: unknown, like fosite's lookup by signature.
      const signature = await deps.codes.validate(formValue(form, 'code'));
      const code = signature === null ? null : await deps.grants.code(signature);
      if (!code) throw new InvalidGrant();
      if (code.used_at !== null) return reused(code.request_id);
      if (code.expires_at.getTime() < now.getTime()) throw new InvalidGrant();
      if (code.client_id !== client.client_id) {
        throw new InvalidGrant(
          'The OAuth 2.0 Client ID from this request does not match the one from the authorize request.',
        );
      }
      const { flow } = code;
      // Compared only when the authorize request sent one (RFC 6749 §4.1.3), byte for byte.
      if (flow.request.redirect_uri_sent && formValue(form, 'redirect_uri') !== flow.request.redirect_uri) {
        throw new InvalidGrant(
          "The 'redirect_uri' from this request does not match the one from the authorize request.",
        );
      }
      verifyPkce(flow.request, formValue(form, 'code_verifier'), {
        ...deps.pkce,
        publicClient: isPublicClient(client),
      });

      const scope = flow.consent?.grant_scope ?? [];
      const audience = flow.consent?.grant_access_token_audience ?? [];
      const withIdToken = openidGranted(scope);
      if (withIdToken) checkIdTokenRequest(flow);

      const tokens = await deps.minter.mint({
        flow,
        client,
        now,
        grant: GRANT_TYPE,
        scope,
        audience,
        withRefresh: offlineGranted(scope) && allowsGrant(client, 'refresh_token'),
        withIdToken,
        hook,
      });
      const outcome = await deps.grants.redeemCode(
        code.signature,
        { access: tokens.access.record, refresh: tokens.refresh?.record ?? null },
        now,
      );
      // Another request redeemed it between the read and the write: the same answer as a reuse.
      if (outcome === 'reused') return reused(code.request_id);
      return deps.minter.response(tokens, scope);
    },
  } satisfies GrantHandler;
}

/**
 * What fosite's ID token strategy checks again at the token endpoint (`GenerateIDToken`): the nonce's entropy,
 * max_age and prompt against auth_time. Hydra answers the latter with 500 server_error; they are a refused
 * grant, not a server fault, so Tollgate answers 400 invalid_grant (docs/hydra-differences.md).
 */
function checkIdTokenRequest(flow: FlowRecord): void {
  const nonce = flow.request.nonce ?? '';
  if (nonce.length > 0 && nonce.length < MIN_NONCE_LENGTH) {
    throw new InsufficientEntropy(
      `Parameter 'nonce' is set but does not satisfy the minimum entropy of ${MIN_NONCE_LENGTH} characters.`,
    );
  }
  // ID token times are whole seconds (`auth_time`, `rat`).
  const seconds = (date: Date) => Math.floor(date.getTime() / 1000);
  const rat = seconds(flow.requested_at);
  const authTime = flow.authenticated_at === null ? rat : seconds(flow.authenticated_at);
  const maxAge = /^[0-9]+$/.test(flow.request.max_age ?? '') ? Number(flow.request.max_age) : 0;
  if (maxAge > 0 && authTime + maxAge < rat) {
    throw new InvalidGrant(
      'Failed to generate id token because authentication time does not satisfy max_age time.',
    );
  }
  const prompt = flow.request.prompt.join(' ');
  if (prompt === 'none' && authTime > rat) {
    throw new InvalidGrant(
      "Failed to generate id token because prompt was set to 'none' but auth_time happened after the authorization request was registered, indicating that the user was logged in during this request which is not allowed.",
    );
  }
  if (prompt === 'login' && authTime < rat) {
    throw new InvalidGrant(
      "Failed to generate id token because prompt was set to 'login' but auth_time happened before the authorization request was registered, indicating that the user was not re-authenticated which is forbidden.",
    );
  }
}
