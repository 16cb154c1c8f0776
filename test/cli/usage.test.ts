// How `tollgate` is called, whatever the command: Hydra's forms (`--version`, `migrate sql -e --yes` meaning up),
// exit codes (2 for a usage error, 1 for an error from the server or the network, 0 otherwise), and help texts
// that end with examples, as Hydra's do.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import type { Command } from 'commander';
import pg from 'pg';
import { buildProgram } from '../../server/cli/program.js';
import { VERSION } from '../../server/version.js';
import { runTollgate as tollgate } from '../helpers/cli.js';
import { createDatabase } from '../helpers/postgres.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/** Every command under `root`, with its full name (`tollgate create client`). */
function walk(root: Command, path: string[] = []): [string, Command][] {
  const name = [...path, root.name()];
  return [[name.join(' '), root], ...root.commands.flatMap((c) => walk(c, name))];
}

function helpOf(cmd: Command): string {
  let text = '';
  cmd.configureOutput({ writeOut: (s) => (text += s), writeErr: (s) => (text += s) });
  cmd.outputHelp();
  return text;
}

async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

describe('tollgate usage', function () {
  // Each command is a fresh node process; on a busy machine that takes seconds.
  this.timeout(120_000);

  describe('help', () => {
    const commands = walk(buildProgram());

    it('covers the whole command tree, including the new JWK and import commands', () => {
      const names = commands.map(([name]) => name);
      expect(names.length).to.be.greaterThan(30);
      expect(names).to.include.members([
        'tollgate',
        'tollgate serve all',
        'tollgate migrate sql up',
        'tollgate create jwk',
        'tollgate get jwk',
        'tollgate delete jwk',
        'tollgate import client',
        'tollgate version',
      ]);
    });

    for (const [name, cmd] of commands) {
      it(`${name} --help ends with an Examples section of tollgate command lines`, () => {
        const match = /\nExamples:\n((?: {2}\S.*\n?)+)$/.exec(helpOf(cmd));
        expect(match, helpOf(cmd)).to.not.equal(null);
        const lines = match![1]!.trimEnd().split('\n');
        expect(lines.some((line) => line.includes('tollgate '))).to.equal(true);
      });
    }

    it('prints the examples when run, for a group (help create) and a command (create jwk --help)', async () => {
      const group = await tollgate(['help', 'create']);
      expect(group.code, group.stderr).to.equal(0);
      expect(group.stdout).to.match(
        /\nExamples:\n {2}tollgate create client .*\n {2}tollgate create jwk .*\n$/,
      );
      const jwk = await tollgate(['create', 'jwk', '--help']);
      expect(jwk.code, jwk.stderr).to.equal(0);
      expect(jwk.stdout).to.match(/--alg <alg>/);
      expect(jwk.stdout).to.match(/\nExamples:\n(?: {2}tollgate create jwk .*\n)+$/);
    });
  });

  it('--version prints the version, like version', async () => {
    const [flag, command] = await Promise.all([tollgate(['--version']), tollgate(['version'])]);
    expect(flag).to.deep.equal({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
    expect(command).to.deep.equal(flag);
  });

  describe('exit codes', () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer();
    });
    after(() => server.close());

    it('2 for usage errors: unknown command or option, missing argument, invalid value, no URL', async () => {
      const cases = [
        [['frobnicate'], /unknown command 'frobnicate'/],
        [['create', 'client', '--no-such-flag'], /unknown option '--no-such-flag'/],
        [['get', 'client', '-e', server.adminUrl], /missing required argument 'id'/],
        [['create', 'jwk', 'set', '--alg', 'XY999', '-e', server.adminUrl], /argument 'XY999' is invalid/],
        [['create'], /Usage: tollgate create/],
        [['get', 'client', 'x'], /^tollgate: no admin API URL/],
        [['migrate', 'sql', 'up', '--yes'], /^tollgate: give the database URL/],
      ] as const;
      const runs = await Promise.all(cases.map(([args]) => tollgate([...args])));
      runs.forEach((run, i) => {
        const [args, message] = cases[i]!;
        expect(run.code, `${args.join(' ')}: ${run.stderr}`).to.equal(2);
        expect(run.stderr, args.join(' ')).to.match(message);
        expect(run.stderr).not.to.match(/\n\s+at /);
      });
    });

    it('2 for a database command given anything but a postgres:// DSN, each with its own line', async () => {
      const secrets = { SECRETS_SYSTEM: 'a-valid-system-secret-123', DSN: 'memory' };
      const cases = [
        [
          ['migrate', 'sql', 'up', '--yes', 'memory'],
          {},
          'migrations need a postgres:// DSN; the embedded database migrates itself on start',
        ],
        [
          ['janitor', 'mysql://db/x', '--tokens'],
          {},
          'give a postgres:// database URL as an argument, or -e to read it from DSN',
        ],
        // Refused before it says there is nothing to clean.
        [
          ['janitor', '--requests'],
          {},
          'give a postgres:// database URL as an argument, or -e to read it from DSN',
        ],
        [
          ['secrets', 'reseal'],
          secrets,
          'secrets reseal needs a postgres:// DSN (the embedded database is reached only by serve)',
        ],
      ] as const;
      const runs = await Promise.all(cases.map(([args, env]) => tollgate([...args], { env })));
      runs.forEach((run, i) => {
        const [args, , message] = cases[i]!;
        expect(run.code, `${args.join(' ')}: ${run.stderr}`).to.equal(2);
        expect(run.stderr, args.join(' ')).to.equal(`tollgate: ${message}\n`);
        expect(run.stdout, args.join(' ')).to.equal('');
      });
    });

    it('1 for an error from the server or the network', async () => {
      const port = await closedPort();
      const [notFound, unreachable] = await Promise.all([
        tollgate(['get', 'client', 'no-such-client', '-e', server.adminUrl]),
        tollgate(['get', 'jwk', 'any', '-e', `http://127.0.0.1:${port}`]),
      ]);
      expect(notFound.code).to.equal(1);
      expect(notFound.stderr).to.match(/^tollgate: the server answered 404: /);
      expect(unreachable.code).to.equal(1);
      expect(unreachable.stderr).to.match(/^tollgate: could not reach the server: /);
    });

    it('0 otherwise', async () => {
      const listed = await tollgate(['list', 'clients', '-e', server.adminUrl, '--format', 'json']);
      expect(listed.code, listed.stderr).to.equal(0);
      expect(JSON.parse(listed.stdout)).to.have.property('items');
      const help = await tollgate(['get', 'client', '--help']);
      expect(help.code).to.equal(0);
      expect(help.stderr).to.equal('');
    });
  });

  describe("Hydra's `migrate sql` forms", () => {
    async function applied(dsn: string): Promise<number> {
      const db = new pg.Client({ connectionString: dsn });
      await db.connect();
      try {
        return (await db.query('SELECT count(*)::int AS n FROM tollgate_migrations')).rows[0].n;
      } finally {
        await db.end();
      }
    }

    it("`migrate sql -e --yes` (no up), as Hydra's Kubernetes chart runs it, applies the migrations", async () => {
      const dsn = await createDatabase('hydra_form');
      const run = await tollgate(['migrate', 'sql', '-e', '--yes'], { env: { DSN: dsn } });
      expect(run.code, run.stderr).to.equal(0);
      expect(run.stdout).to.match(/Applied \d+ migration\(s\)\. Successfully applied migrations!/);
      expect(await applied(dsn)).to.be.greaterThan(0);
      // `migrate sql up -e --yes` keeps working, and finds nothing left to do.
      const up = await tollgate(['migrate', 'sql', 'up', '-e', '--yes'], { env: { DSN: dsn } });
      expect(up.code, up.stderr).to.equal(0);
      expect(up.stdout).to.include('All migrations are already applied, there is nothing to do.');
    });

    it('`migrate sql <dsn> --yes`, the older form, applies them too', async () => {
      const dsn = await createDatabase('hydra_form');
      const run = await tollgate(['migrate', 'sql', dsn, '--yes']);
      expect(run.code, run.stderr).to.equal(0);
      expect(await applied(dsn)).to.be.greaterThan(0);
    });
  });
});
