// L2 provider: the `provider "tollgate"` block with its settings checked at synth time.
import { Construct } from 'constructs';
import { type TerraformProvider, Token } from './core.js';
import { TollgateProvider as L1TollgateProvider } from './l1/provider.js';
import { notEmpty, problems, url } from './validation.js';

export interface TollgateProviderProps {
  /**
   * Admin API base URL, e.g. `http://127.0.0.1:4445`.
   * @default the env `TOLLGATE_ADMIN_URL` where Terraform runs
   */
  readonly endpoint?: string;
  /**
   * Bearer token for a protected admin API. Prefer the env variable: a literal here ends up in cdk.tf.json.
   * @default the env `TOLLGATE_ADMIN_TOKEN` where Terraform runs
   */
  readonly token?: string;
  /**
   * Extra headers sent with every admin API request (e.g. for a proxy in front of the admin API).
   * @default none
   */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * How often a request is retried after a connection error.
   * @default the provider's default
   */
  readonly retries?: number;
  /**
   * Terraform alias, for more than one Tollgate in one stack.
   * @default none (the default provider configuration)
   */
  readonly alias?: string;
}

// RFC 9110 §5.1: a field name is a token.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export class TollgateProvider extends Construct {
  /** The L1 provider block (this construct's default child). */
  readonly provider: L1TollgateProvider;

  constructor(scope: Construct, id: string, props: TollgateProviderProps = {}) {
    super(scope, id);
    this.provider = new L1TollgateProvider(this, 'Default', { ...props });
    this.node.addValidation({
      validate: () =>
        problems(
          url('endpoint', props.endpoint),
          notEmpty('token', props.token),
          Object.keys(props.headers ?? {}).map((name) =>
            HEADER_NAME.test(name)
              ? undefined
              : `headers has the key ${JSON.stringify(name)}, which is not an HTTP header name`,
          ),
          props.retries === undefined ||
            Token.isUnresolved(props.retries) ||
            (Number.isInteger(props.retries) && props.retries >= 0)
            ? undefined
            : `retries is ${props.retries}; expected a whole number ≥ 0`,
        ),
    });
  }
}

/** The Terraform provider object of either an L2 or an L1 provider. */
export const terraformProvider = (
  p: TollgateProvider | TerraformProvider | undefined,
): TerraformProvider | undefined => (p instanceof TollgateProvider ? p.provider : p);
