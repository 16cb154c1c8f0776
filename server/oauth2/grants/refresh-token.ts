// RFC 6749 §6: the refresh token grant, in fosite's order (fosite/handler/oauth2/flow_refresh.go):
// the client's grant, the token (unknown, reused, expired), the offline scopes, its client, the grant against
// the client's current configuration, then rotation. A `scope` parameter cannot narrow anything and is not
// read. Rotation is strict (Hydra's default) or graceful (a rotated token keeps working for a period and a
// number of uses; docs/hydra-differences.md), in one transaction with the new pair.
import type { GrantStore, RotationPolicy } from '../../flows/ports.js';
import type { AudienceStrategy } from '../audience-strategy.js';
import { InvalidGrant, InvalidScope, ScopeNotGranted } from '../errors.js';
import { fields, formValue } from '../form.js';
import type { GrantHandler, TokenResponse } from '../grant-handler.js';
import {
  accessTokenExt,
  forgetting,
  type GrantRevocation,
  idTokenExt,
  offlineGranted,
  openidGranted,
  revokeGrant,
  type TokenMinter,
} from '../grant-tokens.js';
import type { RefreshTokenRecord } from '../ports.js';
import type { ScopeStrategy } from '../scope-strategy.js';
import type { OpaqueTokens } from '../token-strategies.js';
import { requireGrant } from './client-credentials.js';

export interface RefreshTokenDeps extends GrantRevocation {
  refreshTokens: Pick<OpaqueTokens, 'validate'>;
  grants: Pick<GrantStore, 'refresh' | 'rotate' | 'revokeGrant'>;
  minter: TokenMinter;
  scopeStrategy: ScopeStrategy;
  audienceStrategy: AudienceStrategy;
  /** `oauth2.grant.refresh_token.rotation_grace_period` and `…rotation_grace_reuse_count`; 0 = strict. */
  rotation: RotationPolicy;
}

const GRANT_TYPE = 'refresh_token';

/** Whether a token may be exchanged: active, or rotated within the grace period and reuse count. */
export function usableRefreshToken(token: RefreshTokenRecord, rotation: RotationPolicy, now: Date): boolean {
  if (token.active) return true;
  if (rotation.gracePeriodMs <= 0 || token.first_used_at === null) return false;
  return (
    token.first_used_at.getTime() + rotation.gracePeriodMs > now.getTime() &&
    (rotation.reuseCount === 0 || token.used_times < rotation.reuseCount)
  );
}

export function refreshTokenGrant(deps: RefreshTokenDeps) {
  const reused = async (requestId: string): Promise<never> => {
    // RFC 6819 §5.2.2.3: a refresh token used again revokes the whole grant (fosite).
    await revokeGrant(deps, requestId);
    throw new InvalidGrant('The refresh token was already used.');
  };

  return {
    grantType: GRANT_TYPE,
    parameters: ['refresh_token'],

    async handle({ client, form, now, hook }): Promise<TokenResponse> {
      requireGrant(client, GRANT_TYPE);

      const signature = await deps.refreshTokens.validate(formValue(form, 'refresh_token'));
      const token = signature === null ? null : await deps.grants.refresh(signature);
      if (!token) throw new InvalidGrant('The refresh token is malformed or not valid.');
      if (!usableRefreshToken(token, deps.rotation, now)) return reused(token.request_id);
      if (token.expires_at !== null && token.expires_at.getTime() < now.getTime()) {
        throw new InvalidGrant('The refresh token expired.');
      }
      if (!offlineGranted(token.granted_scope)) {
        throw new ScopeNotGranted(
          "The OAuth 2.0 Client was not granted scope offline and may thus not perform the 'refresh_token' authorization grant.",
        );
      }
      if (token.client_id !== client.client_id) {
        throw new InvalidGrant(
          'The OAuth 2.0 Client ID from this request does not match the ID during the initial token issuance.',
        );
      }
      // The grant is checked against what the client may ask for now: narrowing a client takes effect here.
      const allowedScopes = fields(client.document.scope ?? '');
      for (const scope of token.granted_scope) {
        if (!deps.scopeStrategy(allowedScopes, scope)) {
          throw new InvalidScope(`The OAuth 2.0 Client is not allowed to request scope '${scope}'.`);
        }
      }
      deps.audienceStrategy(client.document.audience ?? [], token.granted_audience);

      const tokens = await deps.minter.mint({
        flow: token.flow,
        client,
        now,
        grant: GRANT_TYPE,
        scope: token.granted_scope,
        audience: token.granted_audience,
        withRefresh: true,
        // The same flow, so the new ID token keeps auth_time, rat, sid, acr, amr, nonce and the extras.
        withIdToken: openidGranted(token.granted_scope),
        // The claims the previous exchange issued (the hooks' included); older rows carry the consent's.
        extras: {
          access_token: token.ext ?? accessTokenExt(token.flow),
          id_token: token.id_token_ext ?? idTokenExt(token.flow),
        },
        hook,
      });
      // Rotation deletes the grant's earlier access tokens (strict) or the paired one (graceful).
      const outcome = await forgetting(deps, () =>
        deps.grants.rotate(
          token.signature,
          { access: tokens.access.record, refresh: tokens.refresh?.record ?? null },
          deps.rotation,
          now,
        ),
      );
      // Lost to a concurrent exchange of the same token beyond what rotation allows: a reuse.
      if (outcome === 'reused') return reused(token.request_id);
      return deps.minter.response(tokens, token.granted_scope);
    },
  } satisfies GrantHandler;
}
