// A preset for apps that cannot keep a secret: single-page apps in a browser and native (mobile, desktop, CLI)
// apps. A public client (RFC 6749 §2.1) with the authorization code grant and PKCE (RFC 7636), as OAuth 2.0
// for Native Apps (RFC 8252) and the browser-based apps BCP recommend instead of the implicit grant.
import type { Construct } from 'constructs';
import { OAuth2Client, type OAuth2ClientProps } from './oauth2-client.js';
import { appRedirectUris, problems } from './validation.js';
import { CODE_FLOW, redirectUrisGiven, SIGN_IN_SCOPES, type SignInClientProps } from './web-app-client.js';

export interface BrowserAppClientProps
  extends SignInClientProps,
    Pick<OAuth2ClientProps, 'allowedCorsOrigins'> {
  /**
   * Where the server may send the user back with the code: https URLs, the app's own scheme
   * (`com.example.app:/callback`), or http on a loopback IP (`http://127.0.0.1/callback`, any port at
   * authorization time; RFC 8252 §7.3). At least one.
   */
  readonly redirectUris: string[];
  /**
   * Origins of a single-page app, allowed to call the token, revocation and userinfo endpoints from the browser
   * (CORS) when the server's `serve.public.cors.enabled` is on.
   * @default none
   */
  readonly allowedCorsOrigins?: string[];
}

/**
 * A public client: token endpoint authentication `none` (no secret exists), grant types `authorization_code` and
 * `refresh_token`, response type `code`, scopes `openid offline_access` unless given. The app sends a PKCE
 * code_challenge (S256) with every authorization request; the server requires it from public clients when
 * `oauth2.pkce.enforced_for_public_clients` is set.
 *
 * ```ts
 * new BrowserAppClient(stack, 'spa', {
 *   redirectUris: ['https://app.example.com/callback'],
 *   allowedCorsOrigins: ['https://app.example.com'],
 * });
 * ```
 */
export class BrowserAppClient extends OAuth2Client {
  constructor(scope: Construct, id: string, props: BrowserAppClientProps) {
    const { scopes, ...rest } = props;
    super(scope, id, {
      ...rest,
      grantTypes: [...CODE_FLOW.grantTypes],
      responseTypes: [...CODE_FLOW.responseTypes],
      scopes: scopes ?? [...SIGN_IN_SCOPES],
      tokenEndpointAuthMethod: 'none',
    });
    this.node.addValidation({
      validate: () =>
        problems(redirectUrisGiven(props.redirectUris), appRedirectUris('redirectUris', props.redirectUris)),
    });
  }
}
