// L1 bindings of resource and data source `tollgate_oauth2_client`, written by hand against the agreed schema:
// camelCase config in, the provider's snake_case attributes (Hydra's JSON names) out.
import type { Construct } from 'constructs';
import { TerraformDataSource, type TerraformMetaArguments, TerraformResource } from '../core.js';
import {
  metaArguments,
  OAUTH2_CLIENT_DATA_SOURCE,
  OAUTH2_CLIENT_RESOURCE,
  toHclAttributes,
  toTerraformAttributes,
} from './schema.js';

const GENERATOR_METADATA = { providerName: 'tollgate' };

/** The client fields as the provider takes them: strings, sets of strings, booleans, JSON-encoded strings. */
export interface Oauth2ClientConfig extends TerraformMetaArguments {
  /** Forces replacement when changed. Server-generated (a UUID) when unset. */
  readonly clientId?: string;
  readonly clientName?: string;
  readonly owner?: string;
  /** Space-separated scopes. */
  readonly scope?: string;
  readonly policyUri?: string;
  readonly tosUri?: string;
  readonly clientUri?: string;
  readonly logoUri?: string;
  readonly subjectType?: string;
  readonly sectorIdentifierUri?: string;
  readonly jwksUri?: string;
  readonly tokenEndpointAuthMethod?: string;
  readonly tokenEndpointAuthSigningAlg?: string;
  readonly requestObjectSigningAlg?: string;
  readonly userinfoSignedResponseAlg?: string;
  readonly frontchannelLogoutUri?: string;
  readonly backchannelLogoutUri?: string;
  readonly accessTokenStrategy?: string;
  readonly redirectUris?: string[];
  readonly grantTypes?: string[];
  readonly responseTypes?: string[];
  readonly audience?: string[];
  readonly allowedCorsOrigins?: string[];
  readonly contacts?: string[];
  readonly requestUris?: string[];
  readonly postLogoutRedirectUris?: string[];
  readonly frontchannelLogoutSessionRequired?: boolean;
  readonly backchannelLogoutSessionRequired?: boolean;
  readonly skipConsent?: boolean;
  readonly skipLogoutConsent?: boolean;
  /** JSON-encoded JSON Web Key Set. */
  readonly jwks?: string;
  /** JSON-encoded object. */
  readonly metadata?: string;
  /** Go duration strings ("1h", "30m"). */
  readonly authorizationCodeGrantAccessTokenLifespan?: string;
  readonly authorizationCodeGrantIdTokenLifespan?: string;
  readonly authorizationCodeGrantRefreshTokenLifespan?: string;
  readonly clientCredentialsGrantAccessTokenLifespan?: string;
  readonly implicitGrantAccessTokenLifespan?: string;
  readonly implicitGrantIdTokenLifespan?: string;
  readonly jwtBearerGrantAccessTokenLifespan?: string;
  readonly refreshTokenGrantIdTokenLifespan?: string;
  readonly refreshTokenGrantAccessTokenLifespan?: string;
  readonly refreshTokenGrantRefreshTokenLifespan?: string;
  readonly deviceAuthorizationGrantIdTokenLifespan?: string;
  readonly deviceAuthorizationGrantAccessTokenLifespan?: string;
  readonly deviceAuthorizationGrantRefreshTokenLifespan?: string;
  /** Sensitive; kept in state, never read back from the server. */
  readonly clientSecret?: string;
  /** Write-only (Terraform ≥ 1.11): sent to the server, never stored in state. */
  readonly clientSecretWo?: string;
  /** Changing it sends `clientSecretWo` again. */
  readonly clientSecretWoVersion?: number;
}

export class Oauth2Client extends TerraformResource {
  static readonly tfResourceType = 'tollgate_oauth2_client';

  /** The arguments; mutable until synthesis, as in generated bindings. */
  readonly config: { -readonly [K in keyof Oauth2ClientConfig]: Oauth2ClientConfig[K] };

  constructor(scope: Construct, id: string, config: Oauth2ClientConfig = {}) {
    super(scope, id, {
      terraformResourceType: Oauth2Client.tfResourceType,
      terraformGeneratorMetadata: GENERATOR_METADATA,
      ...metaArguments(config),
    });
    this.config = { ...config };
  }

  get clientId(): string {
    return this.getStringAttribute('client_id');
  }

  /** Sensitive. Null when the secret is write-only. */
  get clientSecret(): string {
    return this.getStringAttribute('client_secret');
  }

  get scope(): string {
    return this.getStringAttribute('scope');
  }

  get createdAt(): string {
    return this.getStringAttribute('created_at');
  }

  get updatedAt(): string {
    return this.getStringAttribute('updated_at');
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    return toTerraformAttributes(OAUTH2_CLIENT_RESOURCE, this.config);
  }

  protected override synthesizeHclAttributes(): Record<string, unknown> {
    return toHclAttributes(OAUTH2_CLIENT_RESOURCE, this.config);
  }
}

export interface DataTollgateOauth2ClientConfig extends TerraformMetaArguments {
  readonly clientId: string;
}

/** Reads an existing client by id; every field but the secret is available as an attribute. */
export class DataTollgateOauth2Client extends TerraformDataSource {
  static readonly tfResourceType = 'tollgate_oauth2_client';

  readonly config: {
    -readonly [K in keyof DataTollgateOauth2ClientConfig]: DataTollgateOauth2ClientConfig[K];
  };

  constructor(scope: Construct, id: string, config: DataTollgateOauth2ClientConfig) {
    super(scope, id, {
      terraformResourceType: DataTollgateOauth2Client.tfResourceType,
      terraformGeneratorMetadata: GENERATOR_METADATA,
      ...metaArguments(config),
    });
    this.config = { ...config };
  }

  get clientId(): string {
    return this.getStringAttribute('client_id');
  }

  get clientName(): string {
    return this.getStringAttribute('client_name');
  }

  get scope(): string {
    return this.getStringAttribute('scope');
  }

  get grantTypes(): string[] {
    return this.getListAttribute('grant_types');
  }

  get audience(): string[] {
    return this.getListAttribute('audience');
  }

  get tokenEndpointAuthMethod(): string {
    return this.getStringAttribute('token_endpoint_auth_method');
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    return toTerraformAttributes(OAUTH2_CLIENT_DATA_SOURCE, this.config);
  }

  protected override synthesizeHclAttributes(): Record<string, unknown> {
    return toHclAttributes(OAUTH2_CLIENT_DATA_SOURCE, this.config);
  }
}
