// Liveness and readiness on both ports of a real server, readiness following the database's migration state,
// and the `tollgate migrate sql` command run as a real process against a fresh PostgreSQL database.
import { readdirSync } from 'node:fs';
import { expect } from 'chai';
import pg from 'pg';
import { MIGRATIONS_DIR, MIGRATIONS_TABLE } from '../../server/storage/knex.js';
import { call } from '../helpers/api.js';
import { runTollgate as tollgate } from '../helpers/cli.js';
import { createDatabase } from '../helpers/postgres.js';
import { migrate, startTestServer, type TestServer } from '../helpers/server.js';

const MIGRATIONS = readdirSync(MIGRATIONS_DIR)
  .filter((f) => f.endsWith('.js'))
  .sort();
const TABLES = [
  'oauth2_clients',
  'oauth2_access_tokens',
  'jwks',
  'oauth2_token_not_before',
  'oauth2_revoked_stateless_tokens',
  'oauth2_flows',
  'oauth2_authentication_sessions',
  'oauth2_authorization_codes',
  'oauth2_refresh_tokens',
  'oauth2_jti_seen',
  'trusted_jwt_issuers',
  'oauth2_logout_requests',
  'oauth2_device_challenges',
  'oauth2_device_codes',
];

/** Migration name → status, parsed from `migrate sql status`. */
function statusTable(stdout: string): Record<string, string> {
  const lines = stdout.trim().split('\n');
  expect(lines[0]).to.match(/^Migration\s+Status$/);
  const rows: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const match = /^(\S+)\s+(Applied|Pending)$/.exec(line);
    if (match) rows[match[1]!] = match[2]!;
  }
  return rows;
}

async function tablesOf(dsn: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: dsn });
  await client.connect();
  try {
    const { rows } = await client.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
    );
    return rows.map((r) => r.table_name).filter((t) => !t.startsWith(MIGRATIONS_TABLE));
  } finally {
    await client.end();
  }
}

describe('health endpoints and migrations', function () {
  this.timeout(60_000);

  it('there are migrations to check', () => {
    expect(MIGRATIONS).to.have.length.of.at.least(3);
  });

  describe('/health/alive and /health/ready', () => {
    let server: TestServer;

    before(async () => {
      server = await startTestServer({}, { migrate: false });
    });
    after(async () => {
      await server?.close();
    });

    it('while migrations are pending: alive is 200, ready is 503 with errors, on both ports', async () => {
      for (const port of ['public', 'admin'] as const) {
        const alive = await call(server, 'isAlive', { port });
        expect(alive.status).to.equal(200);
        expect(alive.body).to.deep.equal({ status: 'ok' });
        const ready = await call(server, 'isReady', { port });
        expect(ready.status, port).to.equal(503);
        expect(Object.keys(ready.body)).to.deep.equal(['errors']);
        const messages = Object.values(ready.body.errors as Record<string, string>);
        expect(messages).to.have.length.of.at.least(1);
        expect(messages.join(' ')).to.include(`${MIGRATIONS.length} migration(s) pending`);
      }
    });

    it('while migrations are pending, the API answers 503 temporarily_unavailable, not a 500', async () => {
      const created = await call(server, 'createOAuth2Client', { json: { client_name: 'too-early' } });
      expect(created.status).to.equal(503);
      expect(created.headers.get('retry-after')).to.equal('1');
      expect(created.body.error).to.equal('temporarily_unavailable');
      const token = await call(server, 'oauth2TokenExchange', {
        form: { grant_type: 'client_credentials' },
        basic: ['someone', 'something'],
      });
      expect(token.status).to.equal(503);
      expect(token.body.error).to.equal('temporarily_unavailable');
    });

    it('turns ready (200) once the database is migrated, on both ports, and the API works', async () => {
      await migrate(server.dsn);
      for (const port of ['public', 'admin'] as const) {
        const ready = await call(server, 'isReady', { port });
        expect(ready.status, port).to.equal(200);
        expect(ready.body).to.deep.equal({ status: 'ok' });
        expect(ready.headers.get('cache-control')).to.equal('private, no-cache, no-store, must-revalidate');
      }
      const created = await call(server, 'createOAuth2Client', { json: { client_name: 'in-time' } });
      expect(created.status).to.equal(201);
    });

    it('turns not ready again when a migration is rolled back', async () => {
      const rollback = await tollgate(['migrate', 'sql', 'down', '--yes', server.dsn]);
      expect(rollback.code, rollback.stderr).to.equal(0);
      const ready = await call(server, 'isReady');
      expect(ready.status).to.equal(503);
      expect(Object.values(ready.body.errors).join(' ')).to.include('1 migration(s) pending');
      await migrate(server.dsn);
      expect((await call(server, 'isReady')).status).to.equal(200);
    });

    it('alive and ready also answer under /admin on the admin port', async () => {
      for (const path of ['/admin/health/alive', '/admin/health/ready']) {
        const response = await fetch(new URL(path, server.adminUrl));
        expect(response.status, path).to.equal(200);
        expect(await response.json()).to.deep.equal({ status: 'ok' });
      }
    });
  });

  describe('tollgate migrate sql', () => {
    let dsn: string;

    before(async () => {
      dsn = await createDatabase('cli');
    });

    it('status on a fresh database lists every migration as pending, and changes nothing', async () => {
      const status = await tollgate(['migrate', 'sql', 'status', dsn]);
      expect(status.code, status.stderr).to.equal(0);
      expect(statusTable(status.stdout)).to.deep.equal(
        Object.fromEntries(MIGRATIONS.map((m) => [m, 'Pending'])),
      );
      expect(status.stdout).to.include(`${MIGRATIONS.length} migration(s) pending.`);
      expect(await tablesOf(dsn)).to.deep.equal([]);
    });

    it('up without --yes asks, and applies nothing when the answer is no', async () => {
      const declined = await tollgate(['migrate', 'sql', 'up', dsn], { input: 'n\n' });
      expect(declined.code, declined.stderr).to.equal(0);
      expect(declined.stdout).to.include('Do you want to apply above planned migrations?');
      expect(declined.stdout).to.include('Migration aborted.');
      expect(await tablesOf(dsn)).to.deep.equal([]);
    });

    it('up --yes applies every migration; a second run has nothing to do', async () => {
      const up = await tollgate(['migrate', 'sql', 'up', '--yes', dsn]);
      expect(up.code, up.stderr).to.equal(0);
      for (const m of MIGRATIONS) expect(up.stdout).to.include(m);
      expect(up.stdout).to.include(
        `Applied ${MIGRATIONS.length} migration(s). Successfully applied migrations!`,
      );
      expect(await tablesOf(dsn)).to.have.members(TABLES);

      const again = await tollgate(['migrate', 'sql', 'up', '--yes', dsn]);
      expect(again.code, again.stderr).to.equal(0);
      expect(again.stdout).to.include('All migrations are already applied, there is nothing to do.');
    });

    it('status after up lists every migration as applied', async () => {
      const status = await tollgate(['migrate', 'sql', 'status', dsn]);
      expect(status.code, status.stderr).to.equal(0);
      expect(statusTable(status.stdout)).to.deep.equal(
        Object.fromEntries(MIGRATIONS.map((m) => [m, 'Applied'])),
      );
      expect(status.stdout).not.to.match(/pending/i);
    });

    it('down --yes --steps 3 rolls back the three newest migrations, newest first', async () => {
      const down = await tollgate(['migrate', 'sql', 'down', '--yes', '--steps', '3', dsn]);
      expect(down.code, down.stderr).to.equal(0);
      expect(down.stdout).to.include('Rolled back 3 migration(s).');
      const listed = MIGRATIONS.slice(-3).reverse();
      const positions = listed.map((m) => down.stdout.indexOf(m));
      expect(positions.every((p) => p >= 0)).to.equal(true);
      expect(positions).to.deep.equal([...positions].sort((a, b) => a - b));
    });

    it('status after down shows the rolled-back migrations pending again, and their tables are gone', async () => {
      const status = await tollgate(['migrate', 'sql', 'status', dsn]);
      expect(status.code, status.stderr).to.equal(0);
      const expected = Object.fromEntries(
        MIGRATIONS.map((m, i) => [m, i < MIGRATIONS.length - 3 ? 'Applied' : 'Pending']),
      );
      expect(statusTable(status.stdout)).to.deep.equal(expected);
      expect(status.stdout).to.include('3 migration(s) pending.');
      if (MIGRATIONS.length === 3) expect(await tablesOf(dsn)).to.deep.equal([]);
    });

    it('-e reads the DSN from the environment', async () => {
      const status = await tollgate(['migrate', 'sql', 'status', '-e'], { env: { DSN: dsn } });
      expect(status.code, status.stderr).to.equal(0);
      expect(Object.keys(statusTable(status.stdout))).to.deep.equal(MIGRATIONS);
    });

    it('fails with a clear message and a non-zero exit code on bad invocations', async () => {
      const [noDsn, noEnv, badSteps, notPostgres, unreachable] = await Promise.all([
        tollgate(['migrate', 'sql', 'up', '--yes']),
        tollgate(['migrate', 'sql', 'up', '-e', '--yes']),
        tollgate(['migrate', 'sql', 'down', '--yes', '--steps', '0', dsn]),
        tollgate(['migrate', 'sql', 'up', '--yes', 'memory']),
        tollgate(['migrate', 'sql', 'status', 'postgres://nobody:nothing@127.0.0.1:1/none?sslmode=disable']),
      ]);
      for (const run of [noDsn, noEnv, badSteps, notPostgres, unreachable]) {
        expect(run.code, run.stdout + run.stderr).to.not.equal(0);
        expect(run.code).to.not.equal(null);
        expect(run.stderr).to.match(/^tollgate: /m);
        // A message, not a stack trace.
        expect(run.stderr).not.to.match(/^\s+at /m);
      }
      expect(noDsn.stderr).to.include('give the database URL as an argument, or -e to read it from DSN');
      expect(noEnv.stderr).to.include('the DSN environment variable is not set');
      expect(badSteps.stderr).to.include('--steps must be a positive integer');
      expect(notPostgres.stderr).to.include('postgres://');
      // Nothing was rolled back by the refused --steps 0.
      const status = await tollgate(['migrate', 'sql', 'status', dsn]);
      expect(status.stdout).to.include('3 migration(s) pending.');
    });
  });
});
