// `npm start`'s path: `tollgate serve all --dev` with no DSN runs on a persistent embedded PostgreSQL under
// ./.tollgate, generates and keeps a system secret, and keeps data across restarts. `DSN=memory` forgets.
// While it starts, it says on stderr what it is doing and where the database lives.
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { type ServerProcess, startServerProcess } from '../helpers/server-process.js';

/** `dsn` '' leaves DSN unset; no SECRETS_SYSTEM unless given, as `npm start`. */
async function serve(cwd: string, dsn = '', env: Record<string, string> = {}): Promise<ServerProcess> {
  const served = await startServerProcess(dsn, { cwd, env: { SECRETS_SYSTEM: '', ...env } });
  // The time to ready is printed right after the listening line.
  while (!/ready in/.test(served.stderr()) && served.child.exitCode === null) {
    await new Promise((r) => setTimeout(r, 20));
  }
  return served;
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

  it('keeps clients, and its generated secret, across restarts when DSN is unset, saying where', async () => {
    const first = await serve(cwd);
    expect(first.output()).to.match(/SECRETS_SYSTEM is not set/);
    // Progress on the first start: initdb, naming the directory, the migrations, then the time to ready.
    const progress =
      /^initialising the embedded PostgreSQL in (\S+) \(first start[^\n]*…\napplying \d+ migrations…\nTollgate is listening: public API \S+, admin API \S+\nready in \d+\.\d s\n$/.exec(
        first.stderr(),
      );
    expect(progress, first.stderr()).to.not.equal(null);
    const dataDir = progress?.[1] ?? '';
    expect(existsSync(join(dataDir, 'PG_VERSION'))).to.equal(true);
    const created = await fetch(`${first.server.adminUrl}/admin/clients`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: 'kept', grant_types: ['client_credentials'] }),
    });
    expect(created.status).to.equal(201);
    expect(await first.stop()).to.equal(0);

    const secretFile = await stat(join(cwd, '.tollgate', 'secrets.system'));
    expect(secretFile.mode & 0o077).to.equal(0);

    const second = await serve(cwd);
    expect(second.stderr()).to.match(/^started the embedded PostgreSQL in (\S+)\nTollgate/);
    expect(second.stderr()).to.include(` in ${dataDir}\n`);
    expect(second.stderr()).to.not.match(/initialising|applying/);
    const again = await fetch(`${second.server.adminUrl}/admin/clients/kept`);
    expect(again.status).to.equal(200);
    expect(await second.stop()).to.equal(0);
  });

  it('forgets everything with DSN=memory', async () => {
    const env = { SECRETS_SYSTEM: 'a-secret-of-at-least-16-chars' };
    const first = await serve(cwd, 'memory', env);
    expect(first.stderr()).to.match(
      /^initialising the embedded PostgreSQL in \S+ .*\napplying \d+ migrations…\n/,
    );
    await fetch(`${first.server.adminUrl}/admin/clients`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: 'gone' }),
    });
    expect(await first.stop()).to.equal(0);
    const second = await serve(cwd, 'memory', env);
    expect((await fetch(`${second.server.adminUrl}/admin/clients/gone`)).status).to.equal(404);
    expect(await second.stop()).to.equal(0);
  });
});
