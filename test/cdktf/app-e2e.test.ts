// The README's CDKTF example end to end, on cdktf and on the cdktn fork: synthesize with node (no cdktf CLI, no
// `cdktf get`), then the real terraform with the provider from cdktf/provider/ against a running Tollgate.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { VERSION } from '../../server/version.js';
import { call } from '../helpers/api.js';
import { tokenRequest } from '../helpers/oauth2.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { run, terraform } from '../helpers/terraform-run.js';

const require = createRequire(import.meta.url);
const EXAMPLE = fileURLToPath(new URL('../../examples/cdktf/main.ts', import.meta.url));
const TOLLGATE = fileURLToPath(new URL('../../bin/tollgate.js', import.meta.url));
const TSX = import.meta.resolve('tsx');
const CDKTN = import.meta.resolve('../helpers/cdktn.mjs');
const REPORTING_SECRET = 'reporting-secret-from-a-vault-4711';

for (const core of ['cdktf', 'cdktn'] as const) {
  describe(`CDKTF example app on ${core}: synth, then terraform against Tollgate`, function () {
    this.timeout(180_000);
    let server: TestServer;
    let root: string;
    let env: NodeJS.ProcessEnv;
    let stackDir: string;

    before(async () => {
      server = await startTestServer();
      root = mkdtempSync(join(tmpdir(), `tollgate-${core}-`));
      // As the README says: `tollgate terraform setup` writes the provider mirror and the CLI configuration.
      const setup = await run(process.execPath, [TOLLGATE, 'terraform', 'setup', '--dir', 'terraform'], {
        cwd: root,
        env: process.env,
      });
      expect(setup.code, setup.stderr).to.equal(0);
      env = {
        ...process.env,
        TF_CLI_CONFIG_FILE: join(root, 'terraform', 'terraform.rc'),
        TOLLGATE_ADMIN_URL: server.adminUrl,
        TF_VAR_reporting_secret: REPORTING_SECRET,
      };
      stackDir = join(root, 'cdktf.out', 'stacks', 'clients');
    });

    after(async () => {
      await server?.close();
      if (root) rmSync(root, { recursive: true, force: true });
    });

    it(`synthesizes the stack with node on ${core}`, async () => {
      const loaders = core === 'cdktn' ? ['--import', TSX, '--import', CDKTN] : ['--import', TSX];
      const synth = await run(process.execPath, [...loaders, EXAMPLE], { cwd: root, env });
      expect(synth.code, synth.stderr).to.equal(0);
      const json = JSON.parse(readFileSync(join(stackDir, 'cdk.tf.json'), 'utf8'));
      const { version } = require(`${core}/package.json`);
      expect(json['//'].metadata.version).to.equal(version);
    });

    it('terraform init installs the provider offline', async () => {
      const init = await terraform(stackDir, ['init', '-input=false'], env);
      expect(init.code, init.stdout + init.stderr).to.equal(0);
      expect(init.stdout).to.contain(`Installing tollgate/tollgate v${VERSION}`);
    });

    it('terraform apply creates the clients, seen through the admin API', async () => {
      const apply = await terraform(stackDir, ['apply', '-auto-approve', '-input=false'], env);
      expect(apply.code, apply.stdout + apply.stderr).to.equal(0);
      expect(apply.stdout).to.contain('Apply complete! Resources: 2 added, 0 changed, 0 destroyed.');

      const billing = await call(server, 'getOAuth2Client', { params: { id: 'billing' } });
      expect(billing.status, billing.text).to.equal(200);
      expect(billing.body).to.include({
        client_name: 'Billing service',
        scope: 'invoices.read invoices.write',
        token_endpoint_auth_method: 'client_secret_basic',
        client_credentials_grant_access_token_lifespan: '15m0s',
      });
      expect(billing.body.grant_types).to.deep.equal(['client_credentials']);
      expect(billing.body.audience).to.deep.equal(['https://api.example.com']);

      const reporting = await call(server, 'getOAuth2Client', { params: { id: 'reporting' } });
      expect(reporting.status, reporting.text).to.equal(200);
      expect(reporting.body).to.include({
        scope: 'invoices.read',
        token_endpoint_auth_method: 'client_secret_post',
      });
    });

    it('the generated secret is in the state (sensitive) and gets a token', async () => {
      const state = JSON.parse(readFileSync(join(root, 'terraform.clients.tfstate'), 'utf8'));
      const billing = state.resources.find((r: any) => r.name === 'billing').instances[0];
      const secret = billing.attributes.client_secret as string;
      expect(secret).to.be.a('string').with.length.greaterThan(5);
      expect(billing.sensitive_attributes.flat().map((p: any) => p.value)).to.include('client_secret');
      const token = await tokenRequest(
        server,
        { grant_type: 'client_credentials', scope: 'invoices.read' },
        { id: 'billing', secret },
      );
      expect(token.status, token.text).to.equal(200);
    });

    it('the write-only secret works at the token endpoint and never reaches the state', async () => {
      const token = await tokenRequest(server, {
        grant_type: 'client_credentials',
        client_id: 'reporting',
        client_secret: REPORTING_SECRET,
      });
      expect(token.status, token.text).to.equal(200);
      const stateText = readFileSync(join(root, 'terraform.clients.tfstate'), 'utf8');
      expect(stateText).not.to.contain(REPORTING_SECRET);
      const reporting = JSON.parse(stateText).resources.find((r: any) => r.name === 'reporting').instances[0];
      expect(reporting.attributes.client_secret_wo).to.equal(null);
      expect(reporting.attributes.client_secret).to.equal(null);
      expect(reporting.attributes.client_secret_wo_version).to.equal(1);
    });

    it('a second plan shows no changes', async () => {
      const plan = await terraform(stackDir, ['plan', '-detailed-exitcode', '-input=false'], env);
      expect(plan.code, plan.stdout + plan.stderr).to.equal(0);
      expect(plan.stdout).to.contain('No changes.');
    });

    it('terraform destroy deletes the clients', async () => {
      const destroy = await terraform(stackDir, ['destroy', '-auto-approve', '-input=false'], env);
      expect(destroy.code, destroy.stdout + destroy.stderr).to.equal(0);
      expect(destroy.stdout).to.contain('Destroy complete! Resources: 2 destroyed.');
      for (const id of ['billing', 'reporting']) {
        const res = await call(server, 'getOAuth2Client', { params: { id } });
        expect(res.status, id).to.equal(404);
      }
    });
  });
}
