// POST /oauth2/revoke (RFC 7009) and DELETE /admin/oauth2/tokens. `authenticatedRevocation` authenticates the
// client first (RFC 7009 §2.1), then calls `revoke`.
//
// RFC 7009 §2.2: an invalid or unknown token still answers 200, since the client cannot act on an error and
// the token is unusable either way. A token issued to another client also answers 200 (revealing nothing), but
// nothing is revoked; Hydra does the same silently, Tollgate returns the reason so the caller logs it
// (docs/hydra-differences.md). Revoking deletes every token of the token's request, as fosite's
// RevokeAccessToken does.
// Store errors propagate (503), where Hydra would answer 200 while the token may still be valid.
import type { StoredClient } from '../clients/client.js';
import type { ClientAuthenticationRequest, ClientAuthenticator } from './client-authentication.js';
import { InvalidRequest } from './errors.js';
import { formValue } from './form.js';
import { type StatelessTokens, validate } from './introspection.js';
import type { AccessTokenStore, AccessTokenStrategy } from './ports.js';

/** The form parameters read; a repeated parameter counts with its first value (Go's `PostForm.Get`). */
export interface RevocationRequest {
  token?: string | string[];
  /**
   * RFC 7009 §2.1: a hint only. Tollgate has access tokens alone, so every value (including unsupported ones,
   * which the server may ignore) leads to the same lookup.
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
}

export interface Revocation {
  revoke(request: RevocationRequest, client: StoredClient): Promise<RevocationOutcome>;
  /** Hydra's DELETE /admin/oauth2/tokens?client_id=: deletes every access token of a client, known or not. */
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
  return {
    async revoke(request, client) {
      const token = formValue(request, 'token');
      // RFC 7009 §2.1: `token` is REQUIRED. (Hydra looks up the empty token and answers 200.)
      if (token === '') throw new InvalidRequest("Request parameter 'token' is missing.");

      const signature = await validate(token, deps.strategies);
      const stateless = signature === null ? null : (deps.stateless?.record(token, signature) ?? null);
      const record = stateless ?? (signature === null ? null : await deps.tokens.get(signature));
      if (!record) return { revoked: false, reason: 'unknown_token' };
      if (record.client_id !== client.client_id) {
        return { revoked: false, reason: 'other_client', token_client_id: record.client_id };
      }

      // A stateless token has no row: it is denied until it expires.
      if (stateless) await deps.stateless?.revocations.revokeOne(stateless);
      else await deps.tokens.deleteByRequestId(record.request_id);
      return { revoked: true };
    },

    async deleteClientTokens(clientId) {
      if (!clientId)
        throw new InvalidRequest("Query parameter 'client_id' is not defined but it should have been.");
      await deps.tokens.deleteByClientId(clientId);
      // Stateless tokens: one not-before per client, whatever their number.
      await deps.stateless?.revocations.revokeAllOf(clientId, (deps.now ?? (() => new Date()))());
    },
  };
}
