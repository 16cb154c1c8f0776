// The Terraform provider end to end: the real terraform binary drives terraform-provider-tollgate
// (plugin protocol 6, AutoMTLS) against a running Tollgate, and every effect is checked through the admin
// API or the token endpoint. One workspace walks the lifecycle in order, as a user would.
import { generateKeyPairSync } from 'node:crypto';
import { expect } from 'chai';
import { call } from '../helpers/api.js';
import { tokenRequest } from '../helpers/oauth2.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { type TerraformWorkspace, terraformWorkspace } from '../helpers/terraform.js';

const SECRET_V1 = 'write-only-secret-number-one';
const SECRET_V2 = 'write-only-secret-number-two';
/** A public key passed by value (`jwks`); HCL accepts the JSON object literal as is. */
const CLIENT_KEY = {
  ...generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ format: 'jwk' }),
  kid: 'billing-key-1',
  use: 'sig',
  alg: 'ES256',
};

interface ClientConfig {
  clientId?: string;
  scope: string;
  audience: string[];
  lifespan: string;
  /** The write-only secret and its version; left out for a client whose secret Terraform does not manage. */
  secret?: string;
  secretVersion?: number;
}

const config = (c: ClientConfig) => `
terraform {
  required_providers {
    tollgate = { source = "tollgate/tollgate" }
  }
}

provider "tollgate" {}

resource "tollgate_oauth2_client" "svc" {
  ${c.clientId ? `client_id = "${c.clientId}"` : ''}
  client_name = "billing service"
  grant_types = ["client_credentials"]
  scope       = "${c.scope}"
  audience    = ${JSON.stringify(c.audience)}
  client_credentials_grant_access_token_lifespan = "${c.lifespan}"
  metadata = jsonencode({ team = "billing", tier = 1 })
  jwks     = jsonencode({ keys = [${JSON.stringify(CLIENT_KEY)}] })

  ${c.secret ? `client_secret_wo = "${c.secret}"\n  client_secret_wo_version = ${c.secretVersion}` : ''}
}

resource "tollgate_jwk_set" "signing" {
  set_id = "billing-signing"
  alg    = "ES256"
}

data "tollgate_oauth2_client" "svc" {
  client_id = tollgate_oauth2_client.svc.client_id
}

output "client_id" { value = tollgate_oauth2_client.svc.client_id }
output "data_scope" { value = data.tollgate_oauth2_client.svc.scope }
output "data_lifespan" { value = data.tollgate_oauth2_client.svc.client_credentials_grant_access_token_lifespan }
output "keys" { value = tollgate_jwk_set.signing.keys }
`;

describe('Terraform provider tollgate (real terraform)', function () {
  this.timeout(180_000);
  let server: TestServer;
  let tf: TerraformWorkspace;
  let clientId: string;
  const base: ClientConfig = {
    scope: 'invoices:read',
    audience: ['https://billing.example', 'https://ledger.example'],
    lifespan: '1h',
    secret: SECRET_V1,
    secretVersion: 1,
  };

  const getClient = (id: string) => call(server, 'getOAuth2Client', { params: { id } });
  const token = (id: string, secret: string) =>
    tokenRequest(server, { grant_type: 'client_credentials' }, { id, secret });
  const outputs = async () =>
    JSON.parse((await tf.ok('output', '-json')).stdout) as Record<string, { value: unknown }>;

  before(async () => {
    server = await startTestServer();
    tf = terraformWorkspace({ TOLLGATE_ADMIN_URL: server.adminUrl });
  });

  after(async () => {
    tf?.remove();
    await server?.close();
  });

  it('apply creates the client and the key set; the write-only secret works and is not in the state', async () => {
    tf.write('main.tf', config(base));
    const res = await tf.ok('apply', '-auto-approve');
    expect(res.stdout).to.contain('Apply complete! Resources: 2 added, 0 changed, 0 destroyed.');
    expect(res.stdout + res.stderr).not.to.contain(SECRET_V1);

    const out = await outputs();
    clientId = out.client_id!.value as string;
    const got = await getClient(clientId);
    expect(got.status).to.equal(200);
    expect(got.body).to.include({ client_name: 'billing service', scope: 'invoices:read' });
    expect(got.body.audience).to.have.members(base.audience);
    expect(got.body.client_credentials_grant_access_token_lifespan).to.equal('1h0m0s');
    expect(got.body.metadata).to.deep.equal({ team: 'billing', tier: 1 });
    expect(got.body.jwks).to.deep.equal({ keys: [CLIENT_KEY] });

    expect((await token(clientId, SECRET_V1)).status).to.equal(200);
    const state = tf.state();
    expect(state).not.to.contain(SECRET_V1);
    const svc = JSON.parse(state).resources.find(
      (r: { mode: string; type: string }) => r.mode === 'managed' && r.type === 'tollgate_oauth2_client',
    );
    expect(svc.instances[0].attributes.client_secret).to.equal(null);
    expect(svc.instances[0].attributes.client_secret_wo ?? null).to.equal(null);

    // The data source reads the server's canonical values.
    expect(out.data_scope!.value).to.equal('invoices:read');
    expect(out.data_lifespan!.value).to.equal('1h0m0s');

    const keys = JSON.parse(out.keys!.value as string) as { keys: Record<string, unknown>[] };
    expect(keys.keys).to.have.length(1);
    expect(keys.keys[0]).to.include({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(keys.keys[0]).not.to.have.property('d');
    const set = await call(server, 'getJsonWebKeySet', { params: { set: 'billing-signing' } });
    expect(set.status).to.equal(200);
    expect(set.body.keys[0].kid).to.equal(keys.keys[0]!.kid);
  });

  it('a second plan shows no changes, also with the sets reordered and the lifespan spelled 60m', async () => {
    expect((await tf.run('plan', '-detailed-exitcode')).code).to.equal(0);
    tf.write('main.tf', config({ ...base, audience: [...base.audience].reverse(), lifespan: '60m' }));
    const res = await tf.run('plan', '-detailed-exitcode');
    expect(res.code, res.stdout + res.stderr).to.equal(0);
    expect(res.stdout).to.contain('No changes.');
  });

  it('changing the scope and the secret version updates the client in place and rotates the secret', async () => {
    const before = (await getClient(clientId)).body;
    tf.write(
      'main.tf',
      config({ ...base, scope: 'invoices:read invoices:write', secret: SECRET_V2, secretVersion: 2 }),
    );
    const res = await tf.ok('apply', '-auto-approve');
    expect(res.stdout).to.contain('Resources: 0 added, 1 changed, 0 destroyed.');
    const after = (await getClient(clientId)).body;
    expect(after.scope).to.equal('invoices:read invoices:write');
    expect(after.created_at).to.equal(before.created_at);
    expect((await token(clientId, SECRET_V2)).status).to.equal(200);
    expect((await token(clientId, SECRET_V1)).status).to.equal(401);
    expect(tf.state()).not.to.contain(SECRET_V2);
  });

  it('changing client_id replaces the client', async () => {
    tf.write('main.tf', config({ ...base, clientId: 'billing-svc', secret: SECRET_V2, secretVersion: 2 }));
    const res = await tf.ok('apply', '-auto-approve');
    expect(res.stdout).to.contain('must be replaced');
    expect(res.stdout).to.contain('Resources: 1 added, 0 changed, 1 destroyed.');
    expect((await getClient(clientId)).status).to.equal(404);
    expect((await getClient('billing-svc')).status).to.equal(200);
    expect((await token('billing-svc', SECRET_V2)).status).to.equal(200);
    clientId = 'billing-svc';
  });

  it('a client deleted outside Terraform leaves the state on refresh and is planned for creation', async () => {
    expect((await call(server, 'deleteOAuth2Client', { params: { id: clientId } })).status).to.equal(204);
    const res = await tf.run('plan', '-detailed-exitcode');
    expect(res.code, res.stdout + res.stderr).to.equal(2);
    expect(res.stdout).to.contain('has been deleted');
    expect(res.stdout).to.match(/tollgate_oauth2_client\.svc will be created/);
  });

  it('import adopts an existing client, after which the plan shows no changes', async () => {
    const created = await call(server, 'createOAuth2Client', {
      json: {
        client_id: 'billing-svc',
        client_name: 'billing service',
        grant_types: ['client_credentials'],
        scope: 'invoices:read invoices:write',
        audience: ['https://ledger.example', 'https://billing.example'],
        client_credentials_grant_access_token_lifespan: '3600s',
        metadata: { tier: 1, team: 'billing' },
        jwks: { keys: [CLIENT_KEY] },
        client_secret: SECRET_V2,
      },
    });
    expect(created.status).to.equal(201);
    await tf.ok('state', 'rm', 'tollgate_oauth2_client.svc');
    // The adopted client keeps the secret it has: this configuration does not manage it.
    tf.write(
      'main.tf',
      config({ ...base, clientId: 'billing-svc', scope: 'invoices:read invoices:write', secret: undefined }),
    );
    const imported = await tf.ok('import', 'tollgate_oauth2_client.svc', 'billing-svc');
    expect(imported.stdout).to.contain('Import successful!');
    const res = await tf.run('plan', '-detailed-exitcode');
    expect(res.code, res.stdout + res.stderr).to.equal(0);
  });

  it('destroy deletes the client and the key set', async () => {
    const res = await tf.ok('destroy', '-auto-approve');
    expect(res.stdout).to.contain('Resources: 2 destroyed.');
    expect((await getClient(clientId)).status).to.equal(404);
    expect((await call(server, 'getJsonWebKeySet', { params: { set: 'billing-signing' } })).status).to.equal(
      404,
    );
  });
  it('an invalid configuration fails validation with the attribute and what is allowed', async () => {
    tf.write(
      'main.tf',
      config(base)
        .replace('"1h"', '"soon"')
        .replace(
          'client_name = "billing service"',
          'client_name = "billing service"\n  subject_type = "private"\n  userinfo_signed_response_alg = "RS265"',
        ),
    );
    const res = await tf.run('validate');
    expect(res.code).to.equal(1);
    const text = res.stdout + res.stderr;
    expect(text).to.contain('Invalid client_credentials_grant_access_token_lifespan');
    expect(text).to.contain('"soon" is not a Go duration');
    expect(text).to.contain('Invalid subject_type');
    expect(text).to.contain('use one of "public", "pairwise"');
    expect(text).to.contain('Invalid userinfo_signed_response_alg');
    expect(text).to.contain('use one of "none", "RS256"');
  });
});
