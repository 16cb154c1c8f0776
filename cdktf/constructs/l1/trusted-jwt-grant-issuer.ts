// L1 binding of resource `tollgate_trusted_jwt_grant_issuer` (POST /admin/trust/grants/jwt-bearer/issuers).
import type { Construct } from 'constructs';
import { type TerraformMetaArguments, TerraformResource } from '../core.js';
import {
  metaArguments,
  TRUSTED_JWT_GRANT_ISSUER_RESOURCE,
  toHclAttributes,
  toTerraformAttributes,
} from './schema.js';

export interface TrustedJwtGrantIssuerConfig extends TerraformMetaArguments {
  /** The `iss` of the assertions. Forces replacement. */
  readonly issuer: string;
  /** The one `sub` the assertions may name; set this or `allowAnySubject`. Forces replacement. */
  readonly subject?: string;
  /** The assertions may name any subject; the provider's default is false. Forces replacement. */
  readonly allowAnySubject?: boolean;
  /** Scopes an assertion may request. Forces replacement. */
  readonly scope: string[];
  /** The public JSON Web Key as a JSON string, with a `kid`. Forces replacement. */
  readonly jwk: string;
  /** RFC 3339 end of the relationship. Forces replacement. */
  readonly expiresAt: string;
}

export class TrustedJwtGrantIssuer extends TerraformResource {
  static readonly tfResourceType = 'tollgate_trusted_jwt_grant_issuer';

  readonly config: {
    -readonly [K in keyof TrustedJwtGrantIssuerConfig]: TrustedJwtGrantIssuerConfig[K];
  };

  constructor(scope: Construct, id: string, config: TrustedJwtGrantIssuerConfig) {
    super(scope, id, {
      terraformResourceType: TrustedJwtGrantIssuer.tfResourceType,
      terraformGeneratorMetadata: { providerName: 'tollgate' },
      ...metaArguments(config),
    });
    this.config = { ...config };
  }

  /** The relationship id (server-generated UUID). */
  get id(): string {
    return this.getStringAttribute('id');
  }

  get createdAt(): string {
    return this.getStringAttribute('created_at');
  }

  /** The key set the server stores the key in (named after the issuer). */
  get publicKeySet(): string {
    return this.getStringAttribute('public_key_set');
  }

  get publicKeyKid(): string {
    return this.getStringAttribute('public_key_kid');
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    return toTerraformAttributes(TRUSTED_JWT_GRANT_ISSUER_RESOURCE, this.config);
  }

  protected override synthesizeHclAttributes(): Record<string, unknown> {
    return toHclAttributes(TRUSTED_JWT_GRANT_ISSUER_RESOURCE, this.config);
  }
}
