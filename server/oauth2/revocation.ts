// POST /oauth2/revoke (RFC 7009) and DELETE /admin/oauth2/tokens. `authenticatedRevocation` authenticates the
// client first (RFC 7009 §2.1), then calls `revoke`.
//
// RFC 7009 §2.2: an invalid or unknown token still answers 200, since the client cannot act on an error and
// the token is unusable either way. A token issued to another client also answers 200 (revealing nothing), but
// nothing is revoked; Hydra does the same silently, Tollgate returns the reason so the caller logs it
// (docs/hydra-differences.md). Revoking deletes every token of the token's request, as fosite's
// RevokeRefreshToken and RevokeAccessToken do: for a browser flow's token (access or refresh, RFC 7009 §2.1
// allows either to take the other with it) that is the whole grant, codes included.
// Store errors propagate (503), where Hydra would answer 200 while the token may still be valid.
import type { StoredClient } from '../clients/client.js';
import type { GrantStore } from '../flows/ports.js';
import type { ClientAuthenticationRequest, ClientAuthenticator } from './client-authentication.js';
import { InvalidRequest } from './errors.js';
import { formValue } from './form.js';
import { type StatelessTokens, validate } from './introspection.js';
import type { AccessTokenStore, AccessTokenStrategy } from './ports.js';
import type { OpaqueTokens } from './token-strategies.js';

/** The form parameters read; a repeated parameter counts with its first value (Go's `PostForm.Get`). */
export interface RevocationRequest {
  token?: string | string[];
  /**
   * RFC 7009 §2.1: a hint only. The kinds of token are told apart by their prefixes, so every value (including
   * unsupported ones, which the server may ignore) finds the same token.
   */
  token_type_hint?: string | string[];
}

export type RevocationOutcome =
  | { revoked: true }
  | { revoked: false; reason: 'unknown_token' }
  /** Issued to `token_client_id`, not to the requesting client: answered 200, revoked nothing, worth a log line. */
  | { revoked: false; reason: 'other_client'; token_client_id: string };

export interface RevocationDeps {
  strategies: { opaque: AccessTokenStrategy; jwt: AccessTokenStrategy };
  tokens: AccessTokenStore;
  stateless?: StatelessTokens;
  now?: () => Date;
  /** The browser flows: refresh tokens, and the grants a revocation ends. Without it, access tokens only. */
  flows?: {
    refreshTokens: Pick<OpaqueTokens, 'validate'>;
    grants: Pick<GrantStore, 'refresh' | 'revokeGrant' | 'deleteByClientId'>;
  };
}

export interface Revocation {
  revoke(request: RevocationRequest, client: StoredClient): Promise<RevocationOutcome>;
  /**
   * DELETE /admin/oauth2/tokens?client_id=: every access token, refresh token and authorization code of a
   * client, known or not (Hydra deletes access tokens only; docs/hydra-differences.md).
   */
  deleteClientTokens(clientId: string | undefined): Promise<void>;
}

/** What an authenticated revocation did, for the audit log. */
export interface RevocationResult {
  client_id: string;
  outcome: RevocationOutcome;
}

/** RFC 7009 §2.1: the client authenticates first, then revokes one of its own tokens. */
export function authenticatedRevocation(
  revocation: Revocation,
  authenticate: ClientAuthenticator,
): (request: ClientAuthenticationRequest) => Promise<RevocationResult> {
  return async (request) => {
    const client = await authenticate(request);
    const outcome = await revocation.revoke(request.form, client);
    return { client_id: client.client_id, outcome };
  };
}

export function createRevocation(deps: RevocationDeps): Revocation {
  /**
   * Every token of the request: the grant's codes and refresh tokens (a client_credentials request has none),
   * then its access tokens through the AccessTokenStore, whose cache must forget what is deleted.
   */
  async function revokeGrant(requestId: string): Promise<void> {
    await deps.flows?.grants.revokeGrant(requestId);
    await deps.tokens.deleteByRequestId(requestId);
  }

  return {
    async revoke(request, client) {
      const token = formValue(request, 'token');
      // RFC 7009 §2.1: `token` is REQUIRED. (Hydra looks up the empty token and answers 200.)
      if (token === '') throw new InvalidRequest("Request parameter 'token' is missing.");

      // A rotated refresh token still names its grant, and revoking it ends the grant (fosite).
      const refreshSignature = deps.flows ? await deps.flows.refreshTokens.validate(token) : null;
      const refresh = refreshSignature === null ? null : await deps.flows?.grants.refresh(refreshSignature);
      if (refresh) {
        if (refresh.client_id !== client.client_id) {
          return { revoked: false, reason: 'other_client', token_client_id: refresh.client_id };
        }
        await revokeGrant(refresh.request_id);
        return { revoked: true };
      }

      const signature = await validate(token, deps.strategies);
      const stateless = signature === null ? null : (deps.stateless?.record(token, signature) ?? null);
      const record = stateless ?? (signature === null ? null : await deps.tokens.get(signature));
      if (!record) return { revoked: false, reason: 'unknown_token' };
      if (record.client_id !== client.client_id) {
        return { revoked: false, reason: 'other_client', token_client_id: record.client_id };
      }

      // A stateless token has no row: it is denied until it expires.
      if (stateless) await deps.stateless?.revocations.revokeOne(stateless);
      // Only a browser flow's access token (it carries the consent's `ext`) has a grant behind it: a
      // client_credentials revocation stays one statement.
      else if (record.ext != null) await revokeGrant(record.request_id);
      else await deps.tokens.deleteByRequestId(record.request_id);
      return { revoked: true };
    },

    async deleteClientTokens(clientId) {
      if (!clientId)
        throw new InvalidRequest("Query parameter 'client_id' is not defined but it should have been.");
      await deps.flows?.grants.deleteByClientId(clientId);
      await deps.tokens.deleteByClientId(clientId);
      // Stateless tokens: one not-before per client, whatever their number.
      await deps.stateless?.revocations.revokeAllOf(clientId, (deps.now ?? (() => new Date()))());
    },
  };
}
