// The hand-written L1 bindings against the provider's own schema (`terraform providers schema -json`): every
// argument the provider takes has a binding with the right type, and no binding names an attribute the
// provider does not have.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TerraformStack, Testing } from 'cdktf';
import { expect } from 'chai';
import { l1, MachineClient, OAuth2Client, TollgateProvider, TrustedJwtIssuer } from 'tollgate/cdktf';
import {
  type AttributeKind,
  type AttributeTable,
  JWK_SET_RESOURCE,
  OAUTH2_CLIENT_DATA_SOURCE,
  OAUTH2_CLIENT_DATA_SOURCE_ATTRIBUTES,
  OAUTH2_CLIENT_RESOURCE,
  PROVIDER_CONFIG,
  TRUSTED_JWT_GRANT_ISSUER_RESOURCE,
} from '../../cdktf/constructs/l1/schema.js';
import { PROVIDER_ADDRESS, terraform, writeProviderMirror } from '../helpers/terraform-run.js';

interface SchemaAttribute {
  type: unknown;
  required?: boolean;
  optional?: boolean;
  computed?: boolean;
  write_only?: boolean;
}
type Attributes = Record<string, SchemaAttribute>;

const TERRAFORM_TYPE: Record<AttributeKind, unknown> = {
  string: 'string',
  bool: 'bool',
  number: 'number',
  set: ['set', 'string'],
  map: ['map', 'string'],
};

/** The bindings' table as name → Terraform type, and the provider's arguments (what config may set) alike. */
const bindingTypes = (table: AttributeTable) =>
  Object.fromEntries(Object.entries(table).map(([name, kind]) => [name, TERRAFORM_TYPE[kind]]));
const argumentTypes = (attributes: Attributes) =>
  Object.fromEntries(
    Object.entries(attributes)
      .filter(([, a]) => a.required || a.optional)
      .map(([name, a]) => [name, a.type]),
  );

describe('cdktf L1 bindings match the provider schema', function () {
  this.timeout(120_000);
  let schema: any;
  let root: string;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'tollgate-schema-'));
    const dir = join(root, 'stack');
    mkdirSync(dir);
    writeFileSync(
      join(dir, 'main.tf.json'),
      JSON.stringify({ terraform: { required_providers: { tollgate: { source: 'tollgate/tollgate' } } } }),
    );
    env = { ...process.env, TF_CLI_CONFIG_FILE: writeProviderMirror(root) };
    const init = await terraform(dir, ['init', '-input=false'], env);
    expect(init.code, init.stdout + init.stderr).to.equal(0);
    const out = await terraform(dir, ['providers', 'schema', '-json'], env);
    expect(out.code, out.stderr).to.equal(0);
    schema = JSON.parse(out.stdout).provider_schemas[PROVIDER_ADDRESS];
  });

  after(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('provider block', () => {
    expect(bindingTypes(PROVIDER_CONFIG)).to.deep.equal(argumentTypes(schema.provider.block.attributes));
  });

  it('resource tollgate_oauth2_client (with the write-only secret)', () => {
    const attributes: Attributes = schema.resource_schemas.tollgate_oauth2_client.block.attributes;
    expect(bindingTypes(OAUTH2_CLIENT_RESOURCE)).to.deep.equal(argumentTypes(attributes));
    expect(attributes.client_secret_wo?.write_only).to.equal(true);
  });

  it('data source tollgate_oauth2_client', () => {
    const attributes: Attributes = schema.data_source_schemas.tollgate_oauth2_client.block.attributes;
    expect(bindingTypes(OAUTH2_CLIENT_DATA_SOURCE)).to.deep.equal(argumentTypes(attributes));
    const read = Object.fromEntries(Object.entries(attributes).map(([name, a]) => [name, a.type]));
    expect(read).to.deep.include(bindingTypes(OAUTH2_CLIENT_DATA_SOURCE_ATTRIBUTES));
  });

  it('resource tollgate_jwk_set', () => {
    const attributes: Attributes = schema.resource_schemas.tollgate_jwk_set.block.attributes;
    expect(bindingTypes(JWK_SET_RESOURCE)).to.deep.equal(argumentTypes(attributes));
    expect(attributes.keys).to.include({ type: 'string', computed: true });
  });

  it('resource tollgate_trusted_jwt_grant_issuer', () => {
    const attributes: Attributes = schema.resource_schemas.tollgate_trusted_jwt_grant_issuer.block.attributes;
    expect(bindingTypes(TRUSTED_JWT_GRANT_ISSUER_RESOURCE)).to.deep.equal(argumentTypes(attributes));
    for (const name of ['id', 'created_at', 'public_key_set', 'public_key_kid']) {
      expect(attributes[name], name).to.include({ type: 'string', computed: true });
    }
  });

  it('the HCL output of the constructs (cdktf synth --hcl) passes terraform validate', async () => {
    const stack = new TerraformStack(Testing.app(), 'hcl');
    new TollgateProvider(stack, 'tollgate', {
      endpoint: 'http://127.0.0.1:4445',
      headers: { 'X-Tenant': 'a' },
    });
    const billing = new MachineClient(stack, 'billing', {
      scopes: ['invoices.read'],
      accessTokenLifespan: '15m',
      clientSecretWo: 'abcdefgh',
      clientSecretWoVersion: 1,
    });
    const legacy = OAuth2Client.fromClientId(stack, 'legacy', 'legacy');
    new OAuth2Client(stack, 'web', {
      audience: [billing.clientId, legacy.clientId],
      redirectUris: ['https://app.example.com/cb'],
      lifespans: { authorizationCodeGrantAccessToken: '1h' },
      metadata: { team: 'a' },
    });
    new l1.JwkSet(stack, 'keys', { setId: 'app', alg: 'ES256' });
    new TrustedJwtIssuer(stack, 'partner', {
      issuer: 'https://idp.partner.example',
      allowAnySubject: true,
      scopes: ['invoices.read'],
      publicKey: { kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' },
      expiresAt: '2099-01-01T00:00:00Z',
    });
    const dir = join(root, 'hcl');
    mkdirSync(dir);
    writeFileSync(join(dir, 'main.tf'), Testing.synthHcl(stack, true) as string);
    const init = await terraform(dir, ['init', '-input=false', '-backend=false'], env);
    expect(init.code, init.stdout + init.stderr).to.equal(0);
    const validate = await terraform(dir, ['validate'], env);
    expect(validate.code, validate.stdout + validate.stderr).to.equal(0);
    expect(validate.stdout).to.contain('The configuration is valid.');
  });
});
