// A CDKTF stack through its lifecycle with the real terraform, on cdktf and on cdktn: the data source, import,
// update in place, replacement on a new client_id, out-of-band deletion, rotation of a write-only secret.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { call } from '../helpers/api.js';
import { createClient, tokenRequest } from '../helpers/oauth2.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { type RunResult, run, terraform, writeProviderMirror } from '../helpers/terraform-run.js';

const APP = fileURLToPath(new URL('./fixtures/lifecycle-app.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');
const CDKTN = import.meta.resolve('../helpers/cdktn.mjs');

const SECRETS = { 1: 'first-rotated-secret-123', 2: 'second-rotated-secret-456' };

for (const core of ['cdktf', 'cdktn'] as const) {
  describe(`CDKTF stack lifecycle on ${core}`, function () {
    this.timeout(180_000);
    let server: TestServer;
    let root: string;
    let stackDir: string;
    let settings: Record<string, string>;

    const env = (): NodeJS.ProcessEnv => ({
      ...process.env,
      ...settings,
      TF_VAR_rotated_secret: SECRETS[Number(settings.ROTATED_SECRET_VERSION) as 1 | 2],
    });

    /** Synthesizes the app with the current settings, then runs terraform in its stack directory. */
    async function synthAnd(args: string[]): Promise<RunResult> {
      const loaders = core === 'cdktn' ? ['--import', TSX, '--import', CDKTN] : ['--import', TSX];
      const synth = await run(process.execPath, [...loaders, APP], { cwd: root, env: env() });
      expect(synth.code, synth.stderr).to.equal(0);
      return terraform(stackDir, args, env());
    }

    const getClient = (id: string) => call(server, 'getOAuth2Client', { params: { id } });

    const secretWorks = async (id: string, secret: string) =>
      (await tokenRequest(server, { grant_type: 'client_credentials' }, { id, secret })).status === 200;

    before(async () => {
      server = await startTestServer();
      root = mkdtempSync(join(tmpdir(), `tollgate-lifecycle-${core}-`));
      stackDir = join(root, 'cdktf.out', 'stacks', 'lifecycle');
      settings = {
        TF_CLI_CONFIG_FILE: writeProviderMirror(root),
        TOLLGATE_ADMIN_URL: server.adminUrl,
        PARTNER_CLIENT_ID: 'partner',
        WORKER_CLIENT_ID: 'worker-1',
        WORKER_SCOPES: 'jobs.read',
        ADOPTED_CLIENT_ID: 'adopted',
        ROTATED_SECRET_VERSION: '1',
      };
      await createClient(server, { client_id: 'partner', grant_types: ['client_credentials'] });
      await createClient(server, {
        client_id: 'adopted',
        grant_types: ['client_credentials'],
        scope: 'reports.read',
        client_secret: 'made-by-hand-secret',
      });
    });

    after(async () => {
      await server?.close();
      if (root) rmSync(root, { recursive: true, force: true });
    });

    it('apply imports the existing client, creates the others and reads the partner', async () => {
      const init = await synthAnd(['init', '-input=false']);
      expect(init.code, init.stdout + init.stderr).to.equal(0);
      const apply = await terraform(stackDir, ['apply', '-auto-approve', '-input=false'], env());
      expect(apply.code, apply.stdout + apply.stderr).to.equal(0);
      expect(apply.stdout).to.contain(
        'Apply complete! Resources: 1 imported, 2 added, 0 changed, 0 destroyed.',
      );
      const worker = await getClient('worker-1');
      expect(worker.body.audience).to.deep.equal(['partner']);
      expect(worker.body.scope).to.equal('jobs.read');
      // Adopting kept the hand-made secret: import does not replace the client.
      expect(await secretWorks('adopted', 'made-by-hand-secret')).to.equal(true);
      expect(await secretWorks('rotated', SECRETS[1])).to.equal(true);
    });

    it('a second plan shows no changes', async () => {
      const plan = await synthAnd(['plan', '-detailed-exitcode', '-input=false']);
      expect(plan.code, plan.stdout + plan.stderr).to.equal(0);
    });

    it('changing the scopes updates the client in place', async () => {
      settings.WORKER_SCOPES = 'jobs.read jobs.write';
      const apply = await synthAnd(['apply', '-auto-approve', '-input=false']);
      expect(apply.code, apply.stdout + apply.stderr).to.equal(0);
      expect(apply.stdout).to.contain('Resources: 0 added, 1 changed, 0 destroyed.');
      const worker = await getClient('worker-1');
      expect(worker.body.scope).to.equal('jobs.read jobs.write');
    });

    it('changing the client id replaces the client', async () => {
      settings.WORKER_CLIENT_ID = 'worker-2';
      const apply = await synthAnd(['apply', '-auto-approve', '-input=false']);
      expect(apply.code, apply.stdout + apply.stderr).to.equal(0);
      expect(apply.stdout).to.contain('must be replaced');
      expect(apply.stdout).to.contain('Resources: 1 added, 0 changed, 1 destroyed.');
      expect((await getClient('worker-1')).status).to.equal(404);
      expect((await getClient('worker-2')).body.scope).to.equal('jobs.read jobs.write');
    });

    it('a client deleted outside Terraform is planned for creation again', async () => {
      const del = await call(server, 'deleteOAuth2Client', { params: { id: 'worker-2' } });
      expect(del.status).to.equal(204);
      const plan = await synthAnd(['plan', '-detailed-exitcode', '-input=false']);
      expect(plan.code, plan.stdout + plan.stderr).to.equal(2);
      expect(plan.stdout).to.contain('Plan: 1 to add, 0 to change, 0 to destroy.');
      const apply = await terraform(stackDir, ['apply', '-auto-approve', '-input=false'], env());
      expect(apply.code, apply.stdout + apply.stderr).to.equal(0);
      expect((await getClient('worker-2')).status).to.equal(200);
    });

    it('bumping the version rotates the write-only secret, which never reaches the state', async () => {
      settings.ROTATED_SECRET_VERSION = '2';
      const apply = await synthAnd(['apply', '-auto-approve', '-input=false']);
      expect(apply.code, apply.stdout + apply.stderr).to.equal(0);
      expect(await secretWorks('rotated', SECRETS[2])).to.equal(true);
      expect(await secretWorks('rotated', SECRETS[1])).to.equal(false);
      const state = readFileSync(join(root, 'terraform.lifecycle.tfstate'), 'utf8');
      expect(state).not.to.contain(SECRETS[1]);
      expect(state).not.to.contain(SECRETS[2]);
    });

    it('destroy deletes what the stack manages and leaves the partner alone', async () => {
      const destroy = await synthAnd(['destroy', '-auto-approve', '-input=false']);
      expect(destroy.code, destroy.stdout + destroy.stderr).to.equal(0);
      for (const id of ['worker-2', 'adopted', 'rotated'])
        expect((await getClient(id)).status, id).to.equal(404);
      expect((await getClient('partner')).status).to.equal(200);
    });
  });
}
