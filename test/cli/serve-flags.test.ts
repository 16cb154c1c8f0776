// `tollgate serve` as Hydra users invoke it: flags before or after the role, a config file, and startup
// refused with a message naming the key when a setting is invalid.
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { createDatabase } from '../helpers/postgres.js';
import { migrate } from '../helpers/server.js';

const BIN = fileURLToPath(new URL('../../bin/tollgate.js', import.meta.url));
const run = promisify(execFile);

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

describe('tollgate serve flags and configuration', function () {
  this.timeout(60_000);

  it("takes Hydra's quickstart form `serve -c file all --dev --sqa-opt-out`", async () => {
    const dsn = await createDatabase('flags');
    await migrate(dsn);
    const [publicPort, adminPort] = [await freePort(), await freePort()];
    const dir = await mkdtemp(join(tmpdir(), 'tollgate-flags-'));
    const file = join(dir, 'tollgate.yaml');
    await writeFile(
      file,
      [
        `dsn: ${dsn}`,
        'secrets:',
        '  system: [a-config-file-secret-0123]',
        'serve:',
        `  public: { host: 127.0.0.1, port: ${publicPort} }`,
        `  admin: { host: 127.0.0.1, port: ${adminPort} }`,
      ].join('\n'),
    );
    const child = spawn('node', [BIN, 'serve', '-c', file, 'all', '--dev', '--sqa-opt-out'], {
      env: { ...process.env, DSN: '', SECRETS_SYSTEM: '' },
      stdio: 'pipe',
    });
    let out = '';
    child.stderr.on('data', (c) => {
      out += String(c);
    });
    child.stdout.resume();
    try {
      const started = Date.now();
      while (!/Tollgate is listening/.test(out)) {
        if (child.exitCode !== null || Date.now() - started > 30_000)
          throw new Error(`did not start: ${out}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(out).to.include(`http://127.0.0.1:${publicPort}`);
      const alive = await fetch(`http://127.0.0.1:${adminPort}/health/ready`);
      expect(alive.status).to.equal(200);
    } finally {
      // A child that already exited (it failed to start) fires no further 'exit': do not wait for one.
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
    }
  });

  for (const [env, key] of [
    [{ SERVE_ADMIN_PORT: 'none' }, 'serve.admin.port'],
    [{ TTL_ACCESS_TOKEN: 'soon' }, 'ttl.access_token'],
    [{ STRATEGIES_ACCESS_TOKEN: 'paper' }, 'strategies.access_token'],
    [{ LOG_FORMAT: 'gelf' }, 'log.format'],
    [{ LOG_LEVEL: 'loud' }, 'log.level'],
  ] as const) {
    it(`refuses to start when ${key} is invalid, naming the key, with exit code 1`, async () => {
      const failed = await run('node', [BIN, 'serve', 'all'], {
        env: { ...process.env, SECRETS_SYSTEM: 'a-valid-system-secret-123', DSN: 'memory', ...env },
      }).then(
        () => null,
        (err: { code: number; stderr: string }) => err,
      );
      expect(failed?.code).to.equal(1);
      expect(failed?.stderr).to.include(key);
      expect(failed?.stderr).not.to.match(/\n\s+at /);
      // The entry point's one line for any failure, and nothing else.
      expect(failed?.stderr).to.match(
        new RegExp(`^tollgate: invalid configuration: ${key.replaceAll('.', '\\.')}: [^\n]+\n$`),
      );
    });
  }

  it('refuses to start without SECRETS_SYSTEM outside --dev', async () => {
    const failed = await run('node', [BIN, 'serve', 'all'], {
      env: { ...process.env, SECRETS_SYSTEM: '', DSN: 'memory' },
    }).then(
      () => null,
      (err: { code: number; stderr: string }) => err,
    );
    expect(failed?.code).to.equal(1);
    expect(failed?.stderr).to.include('secrets.system');
  });
});
