// A new user's first run, in a directory other users cannot enter (mode 700, as `mktemp -d` and root's home
// are): this checkout's files copied there, `npm ci && npm start`, then the guide's five steps, then a restart
// that still finds the client. As root, PostgreSQL runs as the `postgres` user, which cannot enter that
// directory; the start-up output says where the cluster lives instead.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { chmod, cp, mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { freePort } from '../helpers/restartable-postgres.js';
import { REPO_ROOT } from '../helpers/sdk.js';

const run = promisify(execFile);

describe('first run: npm ci && npm start in a private directory, then the guide', function () {
  this.timeout(420_000);
  let dir: string;
  let cluster: string | undefined;
  let ports: { SERVE_PUBLIC_PORT: string; SERVE_ADMIN_PORT: string };
  let server: ChildProcess | undefined;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tollgate-private-'));
    await chmod(dir, 0o700);
    const { stdout } = await run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
      cwd: REPO_ROOT,
      maxBuffer: 1 << 24,
    });
    for (const file of stdout.split('\0').filter(Boolean)) {
      const source = join(REPO_ROOT, file);
      if (!(await stat(source).catch(() => undefined))) continue; // deleted in the work tree
      await mkdir(dirname(join(dir, file)), { recursive: true });
      await cp(source, join(dir, file));
    }
    ports = { SERVE_PUBLIC_PORT: String(await freePort()), SERVE_ADMIN_PORT: String(await freePort()) };
  });
  after(async () => {
    if (server?.exitCode === null) server.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
    if (cluster && !cluster.startsWith(dir)) await rm(dirname(cluster), { recursive: true, force: true });
  });

  async function start(): Promise<{ child: ChildProcess; output: () => string }> {
    const { DSN: _dsn, SECRETS_SYSTEM: _secret, ...inherited } = process.env;
    const child = spawn('npm', ['start'], {
      cwd: dir,
      env: { ...inherited, ...ports, SERVE_PUBLIC_HOST: '127.0.0.1', SERVE_ADMIN_HOST: '127.0.0.1' },
      stdio: 'pipe',
      detached: true,
    });
    server = child;
    let output = '';
    child.stdout?.on('data', (c) => {
      output += String(c);
    });
    child.stderr?.on('data', (c) => {
      output += String(c);
    });
    const deadline = Date.now() + 120_000;
    while (!/Tollgate is listening/.test(output)) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`npm start failed:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return { child, output: () => output };
  }

  async function stop(child: ChildProcess) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    process.kill(-(child.pid as number), 'SIGTERM'); // npm and the server it started
    await exited;
  }

  it('npm ci installs and builds without errors', async () => {
    await run('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: dir, maxBuffer: 1 << 26 });
    expect((await stat(join(dir, 'dist/server/cli/tollgate.js'))).isFile()).to.equal(true);
  });

  it('npm start serves the guide: create a client, token, introspect, delete its tokens, introspect', async () => {
    const { child, output } = await start();
    try {
      await guide(output);
    } finally {
      await stop(child);
    }
  });

  async function guide(output: () => string) {
    cluster = /embedded PostgreSQL in (\S+?)["\s]/.exec(output())?.[1];
    expect(cluster, output()).to.be.a('string');
    const admin = `http://127.0.0.1:${ports.SERVE_ADMIN_PORT}`;
    const created = await fetch(`${admin}/admin/clients`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        client_id: 'first-run',
        client_secret: 'my_secret',
        grant_types: ['client_credentials'],
        scope: 'api',
      }),
    });
    expect(created.status).to.equal(201);
    const issued = await fetch(`http://127.0.0.1:${ports.SERVE_PUBLIC_PORT}/oauth2/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from('first-run:my_secret').toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials&scope=api',
    });
    expect(issued.status).to.equal(200);
    const { access_token } = (await issued.json()) as { access_token: string };
    const introspect = async () => {
      const response = await fetch(`${admin}/admin/oauth2/introspect`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `token=${access_token}`,
      });
      return ((await response.json()) as { active: boolean }).active;
    };
    expect(await introspect()).to.equal(true);
    const deleted = await fetch(`${admin}/admin/oauth2/tokens?client_id=first-run`, { method: 'DELETE' });
    expect(deleted.status).to.equal(204);
    expect(await introspect()).to.equal(false);
  }

  it('a second npm start finds the same database: the client is still there', async () => {
    const { child, output } = await start();
    expect(output()).to.include(`embedded PostgreSQL in ${cluster}`);
    try {
      const got = await fetch(`http://127.0.0.1:${ports.SERVE_ADMIN_PORT}/admin/clients/first-run`);
      expect(got.status).to.equal(200);
    } finally {
      await stop(child);
    }
  });
});
