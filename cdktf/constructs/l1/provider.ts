// L1 binding of the `provider "tollgate"` block, written by hand against the agreed schema (no `cdktf get`).
import type { Construct } from 'constructs';
import { TerraformProvider } from '../core.js';
import { PROVIDER_CONFIG, toHclAttributes, toTerraformAttributes } from './schema.js';

/** The provider's registry address; `terraform init` resolves it through a mirror or dev_overrides. */
export const PROVIDER_SOURCE = 'tollgate/tollgate';

export interface TollgateProviderConfig {
  /** Admin API base URL. Terraform falls back to the env `TOLLGATE_ADMIN_URL`. */
  readonly endpoint?: string;
  /** Bearer token for a protected admin API (sensitive). Falls back to the env `TOLLGATE_ADMIN_TOKEN`. */
  readonly token?: string;
  /** Extra headers sent with every admin API request. */
  readonly headers?: Readonly<Record<string, string>>;
  /** How often a request is retried after a connection error. */
  readonly retries?: number;
  /** Terraform provider alias, for more than one Tollgate in a stack. */
  readonly alias?: string;
}

export class TollgateProvider extends TerraformProvider {
  static readonly tfResourceType = 'tollgate';

  private readonly config: TollgateProviderConfig;
  private aliasName: string | undefined;

  constructor(scope: Construct, id: string, config: TollgateProviderConfig = {}) {
    super(scope, id, {
      terraformResourceType: TollgateProvider.tfResourceType,
      terraformGeneratorMetadata: { providerName: 'tollgate' },
      terraformProviderSource: PROVIDER_SOURCE,
    });
    this.config = { ...config };
    this.aliasName = config.alias;
  }

  override get alias(): string | undefined {
    return this.aliasName;
  }

  override set alias(value: string | undefined) {
    this.aliasName = value;
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    return { ...toTerraformAttributes(PROVIDER_CONFIG, { ...this.config }), alias: this.aliasName };
  }

  protected override synthesizeHclAttributes(): Record<string, unknown> {
    return {
      ...toHclAttributes(PROVIDER_CONFIG, { ...this.config }),
      ...(this.aliasName !== undefined && {
        alias: { value: this.aliasName, isBlock: false, type: 'simple', storageClassType: 'string' },
      }),
    };
  }
}
