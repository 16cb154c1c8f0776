// A preset for a web application with a back end that keeps a secret: the authorization code grant (RFC 6749
// §4.1) with refresh tokens, for people signing in through a browser.
import type { Construct } from 'constructs';
import { MACHINE_AUTH_METHODS } from './machine-client.js';
import { OAuth2Client, type OAuth2ClientProps } from './oauth2-client.js';
import { oneOf, problems } from './validation.js';

/** What both browser presets share: the code flow and refresh tokens, code as the only response type. */
export const CODE_FLOW = {
  grantTypes: ['authorization_code', 'refresh_token'],
  responseTypes: ['code'],
} as const satisfies Pick<OAuth2ClientProps, 'grantTypes' | 'responseTypes'>;

/** `openid` for an ID token, `offline_access` for a refresh token (OIDC Core §11). */
export const SIGN_IN_SCOPES: readonly string[] = ['openid', 'offline_access'];

/** Client authentication methods of a confidential client: the same as a machine client's. */
export const WEB_APP_AUTH_METHODS = MACHINE_AUTH_METHODS;
export type WebAppAuthMethod = (typeof WEB_APP_AUTH_METHODS)[number];

/** The props of OAuth2Client that both browser presets pass through unchanged. */
export type SignInClientProps = Pick<
  OAuth2ClientProps,
  | 'provider'
  | 'clientId'
  | 'clientName'
  | 'owner'
  | 'audience'
  | 'accessTokenStrategy'
  | 'contacts'
  | 'metadata'
  | 'postLogoutRedirectUris'
  | 'policyUri'
  | 'tosUri'
  | 'clientUri'
  | 'logoUri'
  | 'skipConsent'
  | 'lifespans'
> & {
  /** Where the server may send the user back with the code (RFC 6749 §3.1.2). At least one. */
  readonly redirectUris: string[];
  /**
   * Scopes the client may request.
   * @default ['openid', 'offline_access']
   */
  readonly scopes?: string[];
};

export interface WebAppClientProps
  extends SignInClientProps,
    Pick<
      OAuth2ClientProps,
      | 'allowedCorsOrigins'
      | 'jwks'
      | 'jwksUri'
      | 'tokenEndpointAuthSigningAlg'
      | 'clientSecret'
      | 'clientSecretWo'
      | 'clientSecretWoVersion'
    > {
  /**
   * How the back end authenticates at the token endpoint.
   * @default 'client_secret_basic'
   */
  readonly authMethod?: WebAppAuthMethod;
}

/** A synth-time problem when no redirect URI is given (a code flow client cannot work without one). */
export function redirectUrisGiven(list: readonly string[] | undefined): string | undefined {
  return list === undefined || (Array.isArray(list) && list.length === 0)
    ? 'redirectUris is not set; the authorization code flow needs at least one redirect URI'
    : undefined;
}

/**
 * A confidential client for a server-rendered web application: grant types `authorization_code` and
 * `refresh_token`, response type `code`, a client secret (or `private_key_jwt`), scopes `openid
 * offline_access` unless given.
 *
 * ```ts
 * new WebAppClient(stack, 'portal', { redirectUris: ['https://portal.example.com/callback'] });
 * ```
 */
export class WebAppClient extends OAuth2Client {
  constructor(scope: Construct, id: string, props: WebAppClientProps) {
    const { authMethod, scopes, ...rest } = props;
    super(scope, id, {
      ...rest,
      grantTypes: [...CODE_FLOW.grantTypes],
      responseTypes: [...CODE_FLOW.responseTypes],
      scopes: scopes ?? [...SIGN_IN_SCOPES],
      tokenEndpointAuthMethod: authMethod ?? 'client_secret_basic',
    });
    this.node.addValidation({
      validate: () =>
        problems(
          oneOf('authMethod', authMethod, WEB_APP_AUTH_METHODS),
          redirectUrisGiven(props.redirectUris),
        ),
    });
  }
}
