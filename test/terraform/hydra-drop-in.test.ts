// The drop-in for the community provider svrakitin/hydra: an HCL file written for it (the provider's own
// documented examples) applies against terraform-provider-hydra after changing only
// required_providers.hydra.source, and a state written by svrakitin/hydra (SDKv2, schema version 0) is
// taken over with `terraform state replace-provider` and upgraded without a diff.
import { generateKeyPairSync } from 'node:crypto';
import { expect } from 'chai';
import { hydraClientSchema } from '../../cdktf/provider/hydra/oauth2-client.js';
import { call } from '../helpers/api.js';
import { tokenRequest } from '../helpers/oauth2.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { type TerraformWorkspace, terraformWorkspace } from '../helpers/terraform.js';

/** svrakitin/hydra's documented examples; only `source` differs from what its users have. */
const HYDRA_HCL = (endpoint: string, key: { x: string; y: string }) => `
terraform {
  required_providers {
    hydra = {
      source = "tollgate/hydra"
    }
  }
}

provider "hydra" {
  endpoint = "${endpoint}"
}

resource "hydra_oauth2_client" "example" {
  client_id   = "example"
  client_name = "example"

  metadata = {
    "first_party" = true
  }

  redirect_uris              = ["http://localhost:8080/callback"]
  response_types             = ["code"]
  token_endpoint_auth_method = "none"
}

resource "hydra_oauth2_client" "backend" {
  client_name    = "backend"
  grant_types    = ["client_credentials"]
  scopes         = ["orders:read", "orders:write"]
  audience       = ["https://orders.example"]
  client_credentials_grant_access_token_lifespan = "15m"
  metadata_json = jsonencode({ owner = { team = "orders" } })
}

resource "hydra_oauth2_client" "signed" {
  client_name                     = "signed"
  grant_types                     = ["client_credentials"]
  token_endpoint_auth_method      = "private_key_jwt"
  token_endpoint_auth_signing_alg = "ES256"

  jwk {
    alg = "ES256"
    kid = "signer-1"
    use = "sig"
    kty = "EC"
    crv = "P-256"
    x   = "${key.x}"
    y   = "${key.y}"
  }
}

resource "hydra_jwks" "generated" {
  name = "generated"

  generator {
    alg = "RS256"
    kid = "generated"
    use = "sig"

    keepers = {
      version = 1
    }
  }
}

data "hydra_jwks" "generated" {
  name = hydra_jwks.generated.name
}

output "backend_id" { value = hydra_oauth2_client.backend.id }
output "backend_secret" {
  value     = hydra_oauth2_client.backend.client_secret
  sensitive = true
}
output "kid" { value = data.hydra_jwks.generated.keys[0].kid }
output "signed_id" { value = hydra_oauth2_client.signed.id }
`;

/**
 * A state as svrakitin/hydra v0.5 (terraform-plugin-sdk v2) writes it: every attribute of its schema, the
 * unset ones as Go zero values ("", false, 0, []).
 */
function sdkV2State(clientId: string): string {
  const zero = (type: unknown) =>
    type === 'string'
      ? ''
      : type === 'bool'
        ? false
        : type === 'number'
          ? 0
          : Array.isArray(type) && type[0] === 'map'
            ? null
            : [];
  const attributes: Record<string, unknown> = Object.fromEntries(
    Object.entries(hydraClientSchema.block.attributes).map(([name, a]) => [name, zero(a.type)]),
  );
  Object.assign(attributes, {
    id: clientId,
    client_id: clientId,
    client_name: 'Legacy',
    client_secret: 'secret-returned-at-create',
    grant_types: ['client_credentials'],
    scopes: ['read', 'write'],
    client_credentials_grant_access_token_lifespan: '30m0s',
    metadata: { team: 'core' },
    metadata_json: null,
    jwk: [],
    subject_type: 'public',
    token_endpoint_auth_method: 'client_secret_basic',
    userinfo_signed_response_alg: 'none',
  });
  return JSON.stringify({
    version: 4,
    terraform_version: '1.9.8',
    serial: 3,
    lineage: '3f0c7a52-8a43-4c1e-9d87-3bb5a1d1c0de',
    outputs: {},
    resources: [
      {
        mode: 'managed',
        type: 'hydra_oauth2_client',
        name: 'legacy',
        provider: 'provider["registry.terraform.io/svrakitin/hydra"]',
        instances: [
          {
            schema_version: 0,
            attributes,
            sensitive_attributes: [],
            private: 'eyJzY2hlbWFfdmVyc2lvbiI6IjAifQ==',
          },
        ],
      },
    ],
    check_results: null,
  });
}

const LEGACY_HCL = (endpoint: string) => `
terraform {
  required_providers {
    hydra = { source = "tollgate/hydra" }
  }
}

provider "hydra" {
  endpoint = "${endpoint}"
}

resource "hydra_oauth2_client" "legacy" {
  client_id   = "legacy"
  client_name = "Legacy"
  grant_types = ["client_credentials"]
  scopes      = ["read", "write"]
  client_credentials_grant_access_token_lifespan = "30m"
  metadata = { team = "core" }
}
`;

describe('Terraform drop-in for svrakitin/hydra (real terraform)', function () {
  this.timeout(180_000);
  let server: TestServer;
  const workspaces: TerraformWorkspace[] = [];

  before(async () => {
    server = await startTestServer();
  });

  after(async () => {
    for (const w of workspaces) w.remove();
    await server?.close();
  });

  it('applies an HCL file written for svrakitin/hydra, then plans no changes and destroys', async () => {
    const tf = terraformWorkspace();
    workspaces.push(tf);
    const key = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ format: 'jwk' });
    tf.write('main.tf', HYDRA_HCL(server.adminUrl, { x: key.x!, y: key.y! }));
    const applied = await tf.ok('apply', '-auto-approve');
    expect(applied.stdout).to.contain('Resources: 4 added, 0 changed, 0 destroyed.');

    const example = await call(server, 'getOAuth2Client', { params: { id: 'example' } });
    expect(example.status).to.equal(200);
    expect(example.body).to.include({ client_name: 'example', token_endpoint_auth_method: 'none' });
    expect(example.body.metadata).to.deep.equal({ first_party: 'true' });
    expect(example.body.redirect_uris).to.deep.equal(['http://localhost:8080/callback']);

    const out = JSON.parse((await tf.ok('output', '-json')).stdout) as Record<string, { value: string }>;
    const backend = await call(server, 'getOAuth2Client', { params: { id: out.backend_id!.value } });
    expect(backend.body).to.include({
      scope: 'orders:read orders:write',
      client_credentials_grant_access_token_lifespan: '15m0s',
    });
    expect(backend.body.metadata).to.deep.equal({ owner: { team: 'orders' } });
    // client_secret behaves as in svrakitin/hydra: generated at create and kept in state (sensitive).
    const secret = out.backend_secret!.value;
    const token = await tokenRequest(
      server,
      { grant_type: 'client_credentials' },
      { id: out.backend_id!.value, secret },
    );
    expect(token.status).to.equal(200);

    const signed = await call(server, 'getOAuth2Client', { params: { id: out.signed_id!.value } });
    expect(signed.body.jwks.keys).to.deep.equal([
      { alg: 'ES256', kid: 'signer-1', use: 'sig', kty: 'EC', crv: 'P-256', x: key.x, y: key.y },
    ]);

    expect(out.kid!.value).to.equal('generated');
    const set = await call(server, 'getJsonWebKeySet', { params: { set: 'generated' } });
    expect(set.body.keys[0]).to.include({ kid: 'generated', alg: 'RS256', use: 'sig' });
    // Generated private key members stay on the server.
    expect(tf.state()).not.to.contain(set.body.keys[0].d);

    const plan = await tf.run('plan', '-detailed-exitcode');
    expect(plan.code, plan.stdout + plan.stderr).to.equal(0);

    const destroyed = await tf.ok('destroy', '-auto-approve');
    expect(destroyed.stdout).to.contain('Resources: 4 destroyed.');
    expect((await call(server, 'getOAuth2Client', { params: { id: 'example' } })).status).to.equal(404);
  });

  it('takes over a svrakitin/hydra state (schema version 0) after replace-provider, without a diff', async () => {
    const created = await call(server, 'createOAuth2Client', {
      json: {
        client_id: 'legacy',
        client_name: 'Legacy',
        grant_types: ['client_credentials'],
        scope: 'read write',
        client_credentials_grant_access_token_lifespan: '30m',
        metadata: { team: 'core' },
      },
    });
    expect(created.status).to.equal(201);
    const tf = terraformWorkspace();
    workspaces.push(tf);
    tf.write('main.tf', LEGACY_HCL(server.adminUrl));
    tf.write('terraform.tfstate', sdkV2State('legacy'));

    await tf.ok(
      'state',
      'replace-provider',
      '-auto-approve',
      'registry.terraform.io/svrakitin/hydra',
      'registry.terraform.io/tollgate/hydra',
    );
    const plan = await tf.run('plan', '-detailed-exitcode');
    expect(plan.code, plan.stdout + plan.stderr).to.equal(0);

    await tf.ok('apply', '-refresh-only', '-auto-approve');
    const instance = JSON.parse(tf.state()).resources[0].instances[0];
    expect(instance.schema_version).to.equal(1);
    expect(instance.attributes).to.include({ id: 'legacy', client_id: 'legacy', client_name: 'Legacy' });
    // Zero values became null; the secret svrakitin/hydra stored at create is kept (it is never read back).
    expect(instance.attributes.owner).to.equal(null);
    expect(instance.attributes.client_secret).to.equal('secret-returned-at-create');
  });
});
