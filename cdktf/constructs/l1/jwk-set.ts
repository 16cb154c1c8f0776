// L1 binding of resource `tollgate_jwk_set` (POST /admin/keys/{set}: the server generates the key pair).
import type { Construct } from 'constructs';
import { type TerraformMetaArguments, TerraformResource } from '../core.js';
import { JWK_SET_RESOURCE, metaArguments, toHclAttributes, toTerraformAttributes } from './schema.js';

export interface JwkSetConfig extends TerraformMetaArguments {
  /** Key set id (`hydra.openid.id-token`, or one of your own). Forces replacement. */
  readonly setId: string;
  /** Algorithm the server generates a key for. Forces replacement. */
  readonly alg: string;
  /** `sig` or `enc`; the provider's default is `sig`. Forces replacement. */
  readonly use?: string;
  /** Key id; server-generated when unset. Forces replacement. */
  readonly kid?: string;
}

export class JwkSet extends TerraformResource {
  static readonly tfResourceType = 'tollgate_jwk_set';

  readonly config: { -readonly [K in keyof JwkSetConfig]: JwkSetConfig[K] };

  constructor(scope: Construct, id: string, config: JwkSetConfig) {
    super(scope, id, {
      terraformResourceType: JwkSet.tfResourceType,
      terraformGeneratorMetadata: { providerName: 'tollgate' },
      ...metaArguments(config),
    });
    this.config = { ...config };
  }

  /** JSON string of the public JSON Web Key Set. */
  get keys(): string {
    return this.getStringAttribute('keys');
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    return toTerraformAttributes(JWK_SET_RESOURCE, this.config);
  }

  protected override synthesizeHclAttributes(): Record<string, unknown> {
    return toHclAttributes(JWK_SET_RESOURCE, this.config);
  }
}
