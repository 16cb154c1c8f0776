// Storage port of OpenID Connect logout (Hydra's hydra_oauth2_logout_request): one row per logout request, from
// /oauth2/sessions/logout to the redirect after the logout verifier is redeemed.

export type LogoutState = 'initialized' | 'accepted' | 'rejected' | 'used';

export interface LogoutRequest {
  /** The logout challenge handed to the logout UI. */
  challenge: string;
  /** hex(SHA-256) of the logout verifier, derived from the challenge (server/flows/challenges.ts). */
  verifier_hash: string;
  subject: string;
  /** The login session (`sid`) being ended. */
  sid: string;
  /** The client that asked (id_token_hint's audience or the `client_id` parameter); null when OP-initiated. */
  client_id: string | null;
  /** `urls.self.public`/oauth2/sessions/logout?<query> as received. */
  request_url: string;
  /** Where the browser goes once the logout is done (`state` already added). */
  post_logout_redirect_uri: string;
  /** True when a relying party identified itself (id_token_hint, or client_id with a registered redirect). */
  rp_initiated: boolean;
  state: LogoutState;
  requested_at: Date;
  expires_at: Date;
}

export interface LogoutStore {
  create(request: LogoutRequest): Promise<void>;
  byChallenge(challenge: string): Promise<LogoutRequest | null>;
  byVerifier(verifierHash: string): Promise<LogoutRequest | null>;
  /**
   * Moves the request from one of `from` to `to` (guarded in the UPDATE); the row afterwards, or null when the
   * guard failed (another request got there first, or the state was another).
   */
  transition(challenge: string, from: readonly LogoutState[], to: LogoutState): Promise<LogoutRequest | null>;
  /**
   * The clients with a completed consent during login session `sid` (Hydra's
   * ListUserAuthenticatedClientsWithFront/BackChannelLogout): whom front- and back-channel logout tell.
   */
  clientsOfSession(sid: string): Promise<string[]>;
}
