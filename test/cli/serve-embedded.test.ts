// `npm start`'s path: `tollgate serve all --dev` with no DSN runs on a persistent embedded PostgreSQL under
// ./.tollgate, generates and keeps a system secret, and keeps data across restarts. `DSN=memory` forgets.
import { type ChildProcess, spawn } from 'node:child_process';
import { chmod, mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

const BIN = fileURLToPath(new URL('../../bin/tollgate.js', import.meta.url));

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

interface Served {
  child: ChildProcess;
  admin: string;
  output: () => string;
}

async function serve(cwd: string, env: Record<string, string> = {}): Promise<Served> {
  const admin = await freePort();
  const child = spawn('node', [BIN, 'serve', 'all', '--dev'], {
    cwd,
    env: {
      ...process.env,
      DSN: '',
      SECRETS_SYSTEM: '',
      SERVE_PUBLIC_PORT: String(await freePort()),
      SERVE_ADMIN_PORT: String(admin),
      SERVE_PUBLIC_HOST: '127.0.0.1',
      SERVE_ADMIN_HOST: '127.0.0.1',
      ...env,
    },
    stdio: 'pipe',
  });
  let out = '';
  child.stdout?.on('data', (c) => {
    out += String(c);
  });
  child.stderr?.on('data', (c) => {
    out += String(c);
  });
  const started = Date.now();
  while (!/Tollgate is listening/.test(out)) {
    if (child.exitCode !== null || Date.now() - started > 60_000) throw new Error(`did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, admin: `http://127.0.0.1:${admin}`, output: () => out };
}

async function stop(served: Served): Promise<number | null> {
  served.child.kill('SIGTERM');
  return new Promise((resolve) => served.child.once('exit', resolve));
}

describe('tollgate serve all --dev on the embedded database', function () {
  this.timeout(120_000);
  let cwd: string;

  before(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'tollgate-cwd-'));
    // As root, PostgreSQL runs as the `postgres` user, which must reach the data directory below cwd.
    await chmod(cwd, 0o755);
  });
  after(async () => {
    await rm(cwd, { recursive: true, force: true });
  });

  it('keeps clients, and its generated secret, across restarts when DSN is unset', async () => {
    const first = await serve(cwd);
    expect(first.output()).to.match(/SECRETS_SYSTEM is not set/);
    const created = await fetch(`${first.admin}/admin/clients`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: 'kept', grant_types: ['client_credentials'] }),
    });
    expect(created.status).to.equal(201);
    expect(await stop(first)).to.equal(0);

    const secretFile = await stat(join(cwd, '.tollgate', 'secrets.system'));
    expect(secretFile.mode & 0o077).to.equal(0);

    const second = await serve(cwd);
    const again = await fetch(`${second.admin}/admin/clients/kept`);
    expect(again.status).to.equal(200);
    expect(await stop(second)).to.equal(0);
  });

  it('forgets everything with DSN=memory', async () => {
    const first = await serve(cwd, { DSN: 'memory', SECRETS_SYSTEM: 'a-secret-of-at-least-16-chars' });
    await fetch(`${first.admin}/admin/clients`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: 'gone' }),
    });
    expect(await stop(first)).to.equal(0);
    const second = await serve(cwd, { DSN: 'memory', SECRETS_SYSTEM: 'a-secret-of-at-least-16-chars' });
    expect((await fetch(`${second.admin}/admin/clients/gone`)).status).to.equal(404);
    expect(await stop(second)).to.equal(0);
  });
});
