// A preset for machine-to-machine clients: the client_credentials grant (RFC 6749 §4.4) and nothing a browser
// flow needs.
import type { Construct } from 'constructs';
import { OAuth2Client, type OAuth2ClientProps } from './oauth2-client.js';
import { oneOf, problems } from './validation.js';

/** Client authentication methods that work with client_credentials (a public client cannot use it). */
export const MACHINE_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt'] as const;
export type MachineAuthMethod = (typeof MACHINE_AUTH_METHODS)[number];

export interface MachineClientProps
  extends Pick<
    OAuth2ClientProps,
    | 'provider'
    | 'clientId'
    | 'clientName'
    | 'owner'
    | 'scopes'
    | 'audience'
    | 'accessTokenStrategy'
    | 'contacts'
    | 'metadata'
    | 'jwks'
    | 'jwksUri'
    | 'tokenEndpointAuthSigningAlg'
    | 'clientSecret'
    | 'clientSecretWo'
    | 'clientSecretWoVersion'
  > {
  /**
   * How the client authenticates at the token endpoint.
   * @default 'client_secret_basic'
   */
  readonly authMethod?: MachineAuthMethod;
  /**
   * Lifespan of the access tokens it gets, as a Go duration ("15m", "1h").
   * @default the server's `ttl.access_token`
   */
  readonly accessTokenLifespan?: string;
}

/**
 * A client for a service calling another service: grant type `client_credentials` only. No response types and
 * no redirect URIs are set, since this grant uses neither (RFC 7591 §2.1).
 *
 * ```ts
 * new MachineClient(stack, 'billing', { scopes: ['invoices.read'], audience: ['https://api.example.com'] });
 * ```
 */
export class MachineClient extends OAuth2Client {
  constructor(scope: Construct, id: string, props: MachineClientProps = {}) {
    const { authMethod, accessTokenLifespan, ...rest } = props;
    super(scope, id, {
      ...rest,
      grantTypes: ['client_credentials'],
      tokenEndpointAuthMethod: authMethod ?? 'client_secret_basic',
      lifespans:
        accessTokenLifespan === undefined
          ? undefined
          : { clientCredentialsGrantAccessToken: accessTokenLifespan },
    });
    // The generic checks name the OAuth2Client prop; say it in this preset's terms first.
    this.node.addValidation({
      validate: () => problems(oneOf('authMethod', authMethod, MACHINE_AUTH_METHODS)),
    });
  }
}
