// What `npm pack` ships, and what a consumer can import with plain Node: the packed tollgate package (no
// tests, the LICENSE, compiled code only), the standalone SDK package installed into an empty project, and the
// constructs through `tollgate/cdktf`.
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { consumerProject, REPO_ROOT } from '../helpers/sdk.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const run = promisify(execFile);

/** `npm pack --dry-run` of a directory: the paths it would ship. Scripts are skipped: dist/ is already built. */
async function packedFiles(dir: string): Promise<string[]> {
  const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts', dir], {
    cwd: tmpdir(),
    maxBuffer: 1 << 24,
  });
  return (JSON.parse(stdout) as [{ files: { path: string }[] }])[0].files.map((f) => f.path);
}

describe('package: what npm pack ships and what consumers import', function () {
  this.timeout(180_000);
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it('tollgate ships the LICENSE and compiled code, and no tests or TypeScript sources', async () => {
    const files = await packedFiles(REPO_ROOT);
    expect(files).to.include.members([
      'LICENSE',
      'README.md',
      'package.json',
      'openapi.yaml',
      'bin/tollgate.js',
      'dist/server/cli/tollgate.js',
      'dist/server/migrations/20261126000000_create_oauth2_clients.js',
      'dist/cdktf/provider/bin/terraform-provider-tollgate',
      'dist/cdktf/provider/protocol/tfplugin6.proto',
      'dist/cdktf/constructs/index.js',
      'dist/sdk/index.d.ts',
    ]);
    expect(files.filter((f) => f.startsWith('test/') || f.includes('/test/'))).to.deep.equal([]);
    expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).to.deep.equal([]);
    // The Dockerfile and compose.yml build from a checkout (server/, sdk/, tsconfig): the package cannot.
    expect(files).not.to.include.members(['Dockerfile']);
    expect(files).not.to.include.members(['compose.yml']);
    const license = await readFile(join(REPO_ROOT, 'LICENSE'), 'utf8');
    expect(license).to.match(/Apache License\s+Version 2\.0, January 2004/);
  });

  it('bin/tollgate.js without dist/ says to build first, also in a directory whose path has a space', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tollgate unbuilt '));
    try {
      await mkdir(join(dir, 'bin'));
      await cp(join(REPO_ROOT, 'bin', 'tollgate.js'), join(dir, 'bin', 'tollgate.js'));
      await writeFile(join(dir, 'package.json'), '{"name":"unbuilt","private":true,"type":"module"}');
      const failed = await run('node', [join(dir, 'bin', 'tollgate.js'), 'version']).then(
        () => null,
        (err: { code: number; stderr: string }) => err,
      );
      expect(failed?.code).to.equal(1);
      expect(failed?.stderr).to.equal(
        'tollgate: the compiled CLI (dist/) is missing: run `npm run build` first\n',
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('the SDK package installs into an empty project with openapi-fetch alone, and works', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tollgate-sdk-consumer-'));
    try {
      const { stdout } = await run('npm', ['pack', '--json', '--ignore-scripts', join(REPO_ROOT, 'sdk')], {
        cwd: dir,
      });
      const tarball = join(dir, (JSON.parse(stdout) as [{ filename: string }])[0].filename);
      await writeFile(join(dir, 'package.json'), '{"name":"consumer","private":true,"type":"module"}');
      await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], { cwd: dir });
      const { stdout: tree } = await run('npm', ['ls', '--all', '--parseable'], { cwd: dir });
      const installed = tree
        .trim()
        .split('\n')
        .slice(1)
        .map((p) => p.slice(p.lastIndexOf('node_modules/') + 'node_modules/'.length))
        .sort();
      expect(installed).to.deep.equal(['@tollgate/sdk', 'openapi-fetch', 'openapi-typescript-helpers']);
      await writeFile(
        join(dir, 'main.js'),
        [
          "import { createAdminClient } from '@tollgate/sdk';",
          'const admin = createAdminClient({ baseUrl: process.env.ADMIN_URL });',
          "const { data } = await admin.GET('/admin/version');",
          'console.log(data.version);',
        ].join('\n'),
      );
      const { stdout: version } = await run(process.execPath, ['main.js'], {
        cwd: dir,
        env: { PATH: process.env.PATH, ADMIN_URL: server.adminUrl },
      });
      const { version: expected } = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as {
        version: string;
      };
      expect(version.trim()).to.equal(expected);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('tollgate/cdktf imports with plain Node and synthesizes a client', async () => {
    const consumer = await consumerProject();
    try {
      // The consumer installs the peers itself; here they are this checkout's copies.
      for (const peer of ['cdktf', 'constructs']) {
        await symlink(join(REPO_ROOT, 'node_modules', peer), join(consumer.dir, 'node_modules', peer), 'dir');
      }
      await writeFile(
        join(consumer.dir, 'main.js'),
        [
          "import { TerraformStack, Testing } from 'cdktf';",
          "import { MachineClient, TollgateProvider } from 'tollgate/cdktf';",
          'const app = Testing.app();',
          "const stack = new TerraformStack(app, 'stack');",
          "new TollgateProvider(stack, 'tollgate', { adminUrl: 'http://127.0.0.1:4445' });",
          "new MachineClient(stack, 'billing', { clientId: 'billing', scopes: ['invoices.read'] });",
          'console.log(Testing.synth(stack));',
        ].join('\n'),
      );
      const { stdout } = await run(process.execPath, ['main.js'], { cwd: consumer.dir });
      const synthesized = JSON.parse(stdout) as {
        resource: Record<string, Record<string, { client_id?: string }>>;
      };
      const clients = Object.values(synthesized.resource.tollgate_oauth2_client ?? {});
      expect(clients.map((c) => c.client_id)).to.deep.equal(['billing']);
    } finally {
      await consumer.remove();
    }
  });
});
