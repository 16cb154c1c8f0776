// The README's "Provision clients as code" HCL example, verbatim, installed the way the README says:
// `tollgate terraform setup` writes a filesystem mirror, `terraform init` installs the provider from it with
// no network, and the example applies and destroys against a running Tollgate.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { call } from '../helpers/api.js';
import { tokenRequest } from '../helpers/oauth2.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { type TerraformWorkspace, terraformWorkspace } from '../helpers/terraform.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The first ```hcl block of the README section. */
function readmeHcl(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Provision clients as code'));
  const match = /```hcl\n([\s\S]*?)```/.exec(section);
  if (!match?.[1]) throw new Error('README has no HCL example under "Provision clients as code"');
  return match[1];
}

describe('README: Terraform HCL example, installed with `tollgate terraform setup` (real terraform)', function () {
  this.timeout(180_000);
  let server: TestServer;
  let tf: TerraformWorkspace;
  const secret = 'readme-example-secret';

  before(async () => {
    server = await startTestServer();
    tf = terraformWorkspace();
  });

  after(async () => {
    tf?.remove();
    await server?.close();
  });

  it('setup writes a mirror that terraform init installs from offline; the example applies and destroys', async () => {
    const setupDir = join(tf.dir, 'setup');
    const { stdout } = await promisify(execFile)(process.execPath, [
      join(ROOT, 'bin/tollgate.js'),
      'terraform',
      'setup',
      '--dir',
      setupDir,
    ]);
    const configFile = join(setupDir, 'terraform.rc');
    expect(stdout).to.contain(`export TF_CLI_CONFIG_FILE=${configFile}`);
    expect(existsSync(configFile)).to.equal(true);
    // The test's own CLI configuration becomes the one setup wrote (a mirror, no dev_overrides).
    tf.env.TF_CLI_CONFIG_FILE = configFile;
    tf.env.TOLLGATE_ADMIN_URL = server.adminUrl;
    tf.env.TF_VAR_billing_secret = secret;
    tf.write('main.tf', readmeHcl());

    const init = await tf.ok('init');
    expect(init.stdout).to.contain('Installing tollgate/tollgate');
    expect(readFileSync(join(tf.dir, '.terraform.lock.hcl'), 'utf8')).to.contain(
      'registry.terraform.io/tollgate/tollgate',
    );

    const applied = await tf.ok('apply', '-auto-approve');
    expect(applied.stdout).to.contain('Resources: 2 added, 0 changed, 0 destroyed.');
    const client = await call(server, 'getOAuth2Client', { params: { id: 'billing-service' } });
    expect(client.body).to.include({
      scope: 'invoices:read invoices:write',
      client_credentials_grant_access_token_lifespan: '15m0s',
    });
    const token = await tokenRequest(
      server,
      { grant_type: 'client_credentials' },
      { id: 'billing-service', secret },
    );
    expect(token.status).to.equal(200);
    expect(tf.state()).not.to.contain(secret);

    const destroyed = await tf.ok('destroy', '-auto-approve');
    expect(destroyed.stdout).to.contain('Resources: 2 destroyed.');
    expect((await call(server, 'getOAuth2Client', { params: { id: 'billing-service' } })).status).to.equal(
      404,
    );
  });
});
