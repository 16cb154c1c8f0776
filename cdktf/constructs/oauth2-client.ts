// L2 OAuth 2.0 client: camelCase props with defaults documented, checked at synth time, rendered to the L1
// `tollgate_oauth2_client`. Constructs expose attributes; outputs are the app's choice.
import { Construct, type IConstruct } from 'constructs';
import { ALLOWED_VALUES, AUTH_TOKEN_SIGNING_ALGS, LIFESPAN_FIELDS } from '../../sdk/client-fields.js';
import { Fn, type TerraformMetaArguments, type TerraformProvider, Token } from './core.js';
import {
  DataTollgateOauth2Client,
  Oauth2Client as L1Oauth2Client,
  type Oauth2ClientConfig,
} from './l1/oauth2-client.js';
import { camelCase } from './l1/schema.js';
import { type TollgateProvider, terraformProvider } from './provider.js';
import {
  duration,
  eachOneOf,
  jsonObject,
  logoutRedirectsMatch,
  notEmpty,
  oneOf,
  origins,
  problems,
  redirectUris,
  scopes,
  secret,
  url,
} from './validation.js';

/** Grant types Hydra (and so Tollgate) stores for a client. */
export const GRANT_TYPES = [
  'authorization_code',
  'implicit',
  'refresh_token',
  'client_credentials',
  'urn:ietf:params:oauth:grant-type:jwt-bearer',
  'urn:ietf:params:oauth:grant-type:device_code',
] as const;
export type GrantType = (typeof GRANT_TYPES)[number];

/** RFC 7591 §2 `token_endpoint_auth_method` values Hydra accepts. */
export const TOKEN_ENDPOINT_AUTH_METHODS = ALLOWED_VALUES.token_endpoint_auth_method;
export type TokenEndpointAuthMethod = (typeof TOKEN_ENDPOINT_AUTH_METHODS)[number];

/** Algorithms Hydra accepts for `private_key_jwt` client assertions. */
export const AUTH_SIGNING_ALGS: readonly string[] = AUTH_TOKEN_SIGNING_ALGS;

const RESPONSE_TYPE_WORDS = ['code', 'token', 'id_token'];

/** Per-grant token lifespans as Go durations ("1h", "30m"). Unset ones use the server's `ttl.*` settings. */
export interface TokenLifespans {
  readonly authorizationCodeGrantAccessToken?: string;
  readonly authorizationCodeGrantIdToken?: string;
  readonly authorizationCodeGrantRefreshToken?: string;
  readonly clientCredentialsGrantAccessToken?: string;
  readonly implicitGrantAccessToken?: string;
  readonly implicitGrantIdToken?: string;
  readonly jwtBearerGrantAccessToken?: string;
  readonly refreshTokenGrantIdToken?: string;
  readonly refreshTokenGrantAccessToken?: string;
  readonly refreshTokenGrantRefreshToken?: string;
  readonly deviceAuthorizationGrantIdToken?: string;
  readonly deviceAuthorizationGrantAccessToken?: string;
  readonly deviceAuthorizationGrantRefreshToken?: string;
}

/** A JSON Web Key Set (RFC 7517 §5). */
export interface JsonWebKeySet {
  readonly keys: readonly Record<string, unknown>[];
}

export interface OAuth2ClientProps {
  /**
   * The provider configuration to use.
   * @default the stack's default `tollgate` provider configuration
   */
  readonly provider?: TollgateProvider | TerraformProvider;
  /**
   * The client id. Changing it replaces the client.
   * @default a UUID chosen by the server
   */
  readonly clientId?: string;
  /** @default no name */
  readonly clientName?: string;
  /** @default no owner */
  readonly owner?: string;
  /**
   * Scopes the client may request (RFC 6749 §3.3 scope tokens).
   * @default the server's `oidc.dynamic_client_registration.default_scope` (`offline_access offline openid`)
   */
  readonly scopes?: string[];
  /**
   * Audiences the client may request.
   * @default none
   */
  readonly audience?: string[];
  /**
   * Grant types the client may use.
   * @default none stored, which the server treats as `authorization_code` only
   */
  readonly grantTypes?: GrantType[];
  /**
   * Response types (`code`, `token`, `id_token`, or a space-separated combination such as `code id_token`).
   * @default none stored, which the server treats as `code`
   */
  readonly responseTypes?: string[];
  /** @default none */
  readonly redirectUris?: string[];
  /** @default none */
  readonly postLogoutRedirectUris?: string[];
  /** @default none */
  readonly allowedCorsOrigins?: string[];
  /** @default none */
  readonly contacts?: string[];
  /** @default none */
  readonly requestUris?: string[];
  /**
   * How the client authenticates at the token endpoint.
   * @default 'client_secret_basic'
   */
  readonly tokenEndpointAuthMethod?: TokenEndpointAuthMethod;
  /** For `private_key_jwt`. @default any of the supported algorithms */
  readonly tokenEndpointAuthSigningAlg?: string;
  /** The client's public keys, inline. Set this or `jwksUri`, not both. @default none */
  readonly jwks?: JsonWebKeySet;
  /** Where the client's public keys are published. @default none */
  readonly jwksUri?: string;
  /**
   * Access token format for this client.
   * @default the server's `strategies.access_token`
   */
  readonly accessTokenStrategy?: 'jwt' | 'opaque';
  /** @default 'public' */
  readonly subjectType?: 'public' | 'pairwise';
  /** An https URL. @default none */
  readonly sectorIdentifierUri?: string;
  /** @default none */
  readonly policyUri?: string;
  /** @default none */
  readonly tosUri?: string;
  /** @default none */
  readonly clientUri?: string;
  /** @default none */
  readonly logoUri?: string;
  /** @default none */
  readonly requestObjectSigningAlg?: string;
  /** @default 'none' */
  readonly userinfoSignedResponseAlg?: 'none' | 'RS256';
  /** @default none */
  readonly frontchannelLogoutUri?: string;
  /** @default false */
  readonly frontchannelLogoutSessionRequired?: boolean;
  /** @default none */
  readonly backchannelLogoutUri?: string;
  /** @default false */
  readonly backchannelLogoutSessionRequired?: boolean;
  /** @default false */
  readonly skipConsent?: boolean;
  /** @default false */
  readonly skipLogoutConsent?: boolean;
  /** Free-form JSON object stored with the client. @default {} */
  readonly metadata?: Record<string, unknown>;
  /** @default the server's `ttl.*` settings for every grant */
  readonly lifespans?: TokenLifespans;
  /**
   * The client secret, at least 6 bytes. It is kept (sensitive) in the Terraform state; prefer
   * `clientSecretWo` to keep it out of state.
   * @default a secret generated by the server, readable once through `clientSecret`
   */
  readonly clientSecret?: string;
  /**
   * A write-only secret (Terraform ≥ 1.11): sent to the server, never stored in state or plan. Pass it from a
   * variable or secret store, not as a literal (a literal ends up in cdk.tf.json).
   * @default none
   */
  readonly clientSecretWo?: string;
  /**
   * Bump it to send a new `clientSecretWo` (Terraform cannot see write-only values change).
   * @default none; required with `clientSecretWo`
   */
  readonly clientSecretWoVersion?: number;
}

// The props are written by hand for their documentation, but must cover every field the L1 binding takes (which
// is generated from the contract) and name no other: `scopes` is `scope` as a list, `lifespans` groups the
// `…Lifespan` fields, `jwks` and `metadata` are objects where L1 takes JSON strings. A field added to the
// contract fails this check until it has a prop.
type PropsForL1Fields =
  | Exclude<keyof OAuth2ClientProps, 'provider' | 'scopes' | 'lifespans'>
  | 'scope'
  | `${keyof TokenLifespans}Lifespan`;
type L1Fields = Exclude<keyof Oauth2ClientConfig, keyof TerraformMetaArguments>;
type Exactly<MissingAndExtra extends [never, never]> = MissingAndExtra;
/** Compile-time only: `[fields without a prop, props without a field]`, both empty. */
export type PropsMatchL1 = Exactly<
  [Exclude<L1Fields, PropsForL1Fields>, Exclude<PropsForL1Fields, L1Fields>]
>;

/** A client defined here or elsewhere. */
export interface IOAuth2Client extends IConstruct {
  /** The client id (a token resolved by Terraform). */
  readonly clientId: string;
}

const lifespanProp = (attribute: string): keyof TokenLifespans =>
  camelCase(attribute.replace(/_lifespan$/, '')) as keyof TokenLifespans;

class ImportedOAuth2Client extends Construct implements IOAuth2Client {
  /** The data source reading the client. */
  readonly data: DataTollgateOauth2Client;

  constructor(
    scope: Construct,
    id: string,
    clientId: string,
    provider?: TollgateProvider | TerraformProvider,
  ) {
    super(scope, id);
    this.data = new DataTollgateOauth2Client(this, 'Default', {
      clientId,
      provider: terraformProvider(provider),
    });
    this.node.addValidation({ validate: () => problems(notEmpty('clientId', clientId)) });
  }

  get clientId(): string {
    return this.data.clientId;
  }
}

/**
 * An OAuth 2.0 client (`tollgate_oauth2_client`).
 *
 * ```ts
 * new OAuth2Client(stack, 'web', { grantTypes: ['authorization_code'], redirectUris: ['https://app/cb'] });
 * ```
 */
export class OAuth2Client extends Construct implements IOAuth2Client {
  /** References a client that exists already (read with the `tollgate_oauth2_client` data source). */
  static fromClientId(
    scope: Construct,
    id: string,
    clientId: string,
    options: { provider?: TollgateProvider | TerraformProvider } = {},
  ): IOAuth2Client {
    return new ImportedOAuth2Client(scope, id, clientId, options.provider);
  }

  /** The L1 resource (this construct's default child), for escape hatches. */
  readonly resource: L1Oauth2Client;

  constructor(scope: Construct, id: string, props: OAuth2ClientProps = {}) {
    super(scope, id);
    this.resource = new L1Oauth2Client(this, 'Default', toL1Config(props));
    this.node.addValidation({ validate: () => validateProps(props) });
  }

  /** The client id: the one given, or the one the server generated. */
  get clientId(): string {
    return this.resource.clientId;
  }

  /**
   * The client secret (sensitive): the one given or the one the server generated. Null when the secret is
   * write-only (`clientSecretWo`), because it is then never stored.
   */
  get clientSecret(): string {
    return this.resource.clientSecret;
  }

  get createdAt(): string {
    return this.resource.createdAt;
  }
}

function toL1Config(props: OAuth2ClientProps): Oauth2ClientConfig {
  const { provider, scopes: scopeList, jwks, metadata, lifespans, ...rest } = props;
  const lifespanConfig = Object.fromEntries(
    LIFESPAN_FIELDS.map((attribute) => [camelCase(attribute), lifespans?.[lifespanProp(attribute)]]),
  );
  return {
    ...rest,
    ...lifespanConfig,
    provider: terraformProvider(provider),
    scope:
      scopeList === undefined
        ? undefined
        : Token.isUnresolved(scopeList)
          ? Fn.join(' ', scopeList)
          : scopeList.join(' '),
    jwks: jwks === undefined ? undefined : JSON.stringify(jwks),
    metadata: metadata === undefined ? undefined : JSON.stringify(metadata),
  };
}

function validateProps(p: OAuth2ClientProps): string[] {
  const method = p.tokenEndpointAuthMethod ?? 'client_secret_basic';
  const literal = (v: unknown) => v !== undefined && !Token.isUnresolved(v);
  const secretGiven = p.clientSecret !== undefined || p.clientSecretWo !== undefined;
  return problems(
    notEmpty('clientId', p.clientId),
    scopes('scopes', p.scopes),
    Array.isArray(p.scopes) && p.scopes.length === 0
      ? "scopes is an empty list; leave it unset for the server's default scope, or list at least one"
      : undefined,
    eachOneOf('grantTypes', p.grantTypes, GRANT_TYPES),
    (p.responseTypes ?? []).map((rt, i) =>
      Token.isUnresolved(rt) ||
      rt === 'none' ||
      (rt !== '' && rt.split(' ').every((w) => RESPONSE_TYPE_WORDS.includes(w)))
        ? undefined
        : `responseTypes[${i}] is ${JSON.stringify(rt)}; allowed: code, token, id_token, a space-separated combination of them, or none`,
    ),
    redirectUris('redirectUris', p.redirectUris),
    redirectUris('postLogoutRedirectUris', p.postLogoutRedirectUris),
    logoutRedirectsMatch('postLogoutRedirectUris', p.postLogoutRedirectUris, p.redirectUris),
    origins('allowedCorsOrigins', p.allowedCorsOrigins),
    (p.requestUris ?? []).map((u, i) => url(`requestUris[${i}]`, u)),
    oneOf('tokenEndpointAuthMethod', p.tokenEndpointAuthMethod, TOKEN_ENDPOINT_AUTH_METHODS),
    oneOf('tokenEndpointAuthSigningAlg', p.tokenEndpointAuthSigningAlg, AUTH_SIGNING_ALGS),
    oneOf('accessTokenStrategy', p.accessTokenStrategy, ALLOWED_VALUES.access_token_strategy),
    oneOf('subjectType', p.subjectType, ALLOWED_VALUES.subject_type),
    oneOf(
      'userinfoSignedResponseAlg',
      p.userinfoSignedResponseAlg,
      ALLOWED_VALUES.userinfo_signed_response_alg,
    ),
    url('sectorIdentifierUri', p.sectorIdentifierUri, ['https']),
    url('jwksUri', p.jwksUri),
    url('policyUri', p.policyUri),
    url('tosUri', p.tosUri),
    url('clientUri', p.clientUri),
    url('logoUri', p.logoUri),
    url('frontchannelLogoutUri', p.frontchannelLogoutUri),
    url('backchannelLogoutUri', p.backchannelLogoutUri),
    jsonObject('metadata', p.metadata),
    jsonObject('jwks', p.jwks),
    p.jwks !== undefined && !Token.isUnresolved(p.jwks) && !Array.isArray(p.jwks.keys)
      ? 'jwks has no "keys" array; expected a JSON Web Key Set ({ keys: [...] })'
      : undefined,
    Object.entries(p.lifespans ?? {}).map(([name, value]) =>
      name in EMPTY_LIFESPANS
        ? duration(`lifespans.${name}`, value)
        : `lifespans.${name} is not a lifespan; allowed: ${Object.keys(EMPTY_LIFESPANS).join(', ')}`,
    ),
    secret('clientSecret', p.clientSecret),
    secret('clientSecretWo', p.clientSecretWo),
    p.clientSecret !== undefined && p.clientSecretWo !== undefined
      ? 'clientSecret and clientSecretWo are both set; give one (clientSecretWo keeps the secret out of state)'
      : undefined,
    p.clientSecretWo !== undefined && p.clientSecretWoVersion === undefined
      ? 'clientSecretWo is set without clientSecretWoVersion; set a version (e.g. 1) and bump it to rotate the secret'
      : undefined,
    p.clientSecretWoVersion !== undefined && p.clientSecretWo === undefined
      ? 'clientSecretWoVersion is set without clientSecretWo; it versions the write-only secret'
      : undefined,
    literal(p.clientSecretWoVersion) && !Number.isInteger(p.clientSecretWoVersion)
      ? `clientSecretWoVersion is ${p.clientSecretWoVersion}; expected a whole number`
      : undefined,
    literal(method) && (method === 'none' || method === 'private_key_jwt') && secretGiven
      ? `a client secret is given but tokenEndpointAuthMethod is ${JSON.stringify(method)}, which does not use one; allowed with a secret: client_secret_basic, client_secret_post`
      : undefined,
    literal(method) && method === 'private_key_jwt' && p.jwks === undefined && p.jwksUri === undefined
      ? 'tokenEndpointAuthMethod is "private_key_jwt" but neither jwks nor jwksUri is set; give one of them'
      : undefined,
    p.jwks !== undefined && p.jwksUri !== undefined
      ? 'jwks and jwksUri are both set; give one of them'
      : undefined,
    literal(method) && method === 'none' && (p.grantTypes ?? []).includes('client_credentials')
      ? 'grantTypes includes "client_credentials" but tokenEndpointAuthMethod is "none": a public client cannot use client_credentials (RFC 6749 §4.4); use client_secret_basic, client_secret_post or private_key_jwt'
      : undefined,
  );
}

const EMPTY_LIFESPANS: Record<keyof TokenLifespans, undefined> = Object.fromEntries(
  LIFESPAN_FIELDS.map((attribute) => [lifespanProp(attribute), undefined]),
) as Record<keyof TokenLifespans, undefined>;
