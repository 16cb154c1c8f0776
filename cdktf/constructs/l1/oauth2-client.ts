// L1 bindings of resource and data source `tollgate_oauth2_client`: camelCase config in (the client fields
// generated from the contract, the secret by hand), the provider's snake_case attributes (Hydra's JSON names) out.
import type { Construct } from 'constructs';
import { TerraformDataSource, type TerraformMetaArguments, TerraformResource } from '../core.js';
import type { Oauth2ClientFieldsConfig } from './generated/oauth2-client-config.js';
import {
  metaArguments,
  OAUTH2_CLIENT_DATA_SOURCE,
  OAUTH2_CLIENT_RESOURCE,
  toHclAttributes,
  toTerraformAttributes,
} from './schema.js';

const GENERATOR_METADATA = { providerName: 'tollgate' };

/**
 * The client fields as the provider takes them (generated from the contract: strings, lists of strings,
 * booleans, JSON-encoded strings, Go durations), plus the secret.
 */
export interface Oauth2ClientConfig extends TerraformMetaArguments, Oauth2ClientFieldsConfig {
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
