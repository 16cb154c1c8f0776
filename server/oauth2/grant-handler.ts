// The token endpoint is a grant registry (ARCHITECTURE.md): each grant type is one module that declares its
// `grant_type`, the request parameters it reads, and its handler (node-oidc-provider's shape; fosite's
// CanHandleTokenEndpointRequest/HandleTokenEndpointRequest). Adding a grant is a new file in `grants/` and one
// line in `grants/index.ts`.
import type { StoredClient } from '../clients/client.js';
import type { Form } from './form.js';
import type { TokenHook } from './token-hooks.js';

/** RFC 6749 §5.1 success body, keys in Hydra's (sorted) order. */
export interface TokenResponse {
  access_token: string;
  /** Whole seconds until expiry, truncated (a 1 h token answers 3599). */
  expires_in: number;
  /** OpenID Connect Core §3.1.3.3: when `openid` was granted. */
  id_token?: string;
  /** `ory_rt_`: when `offline`/`offline_access` was granted and the client has the refresh_token grant. */
  refresh_token?: string;
  /** Granted scopes, space-separated; always present, `""` when none were granted. */
  scope: string;
  /** Hydra answers lowercase `bearer`. */
  token_type: 'bearer';
}

export interface GrantContext {
  /** The authenticated client. */
  client: StoredClient;
  /** Only the parameters the grant declared; repeated parameters keep all their values. */
  form: Form;
  /** When the request was accepted; token lifetimes count from here. */
  now: Date;
  /**
   * `oauth2.refresh_token_hook` and `oauth2.token_hook` bound to this request (oauth2/token-hooks.ts). Every
   * grant calls it once, after its checks and before storing anything, and issues the claims it returns; a
   * refusal throws, so nothing is stored. Without hooks configured it returns the claims it was given.
   */
  hook: TokenHook;
}

export interface GrantHandler {
  /** The exact `grant_type` value this handler serves (case-sensitive, as fosite's ExactOne). */
  readonly grantType: string;
  /** Request parameters the handler reads; the endpoint strips every other one before calling it. */
  readonly parameters: readonly string[];
  handle(context: GrantContext): Promise<TokenResponse>;
}
