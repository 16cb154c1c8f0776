// Hydra's remaining admin commands, run as users run them against a real server: `create|get|delete jwk`
// (JSON Web Key sets) and `import client` (clients from JSON files or stdin).
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { createAdminClient } from '../../sdk/index.js';
import { type Run, runTollgate } from '../helpers/cli.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

function ok(result: Run): string {
  expect(result.stderr, result.stderr).to.equal('');
  expect(result.code, result.stderr).to.equal(0);
  return result.stdout;
}

describe('tollgate jwk and import commands (CLI over the SDK)', function () {
  // Each command is a fresh node process; on a busy machine that takes seconds.
  this.timeout(240_000);
  let server: TestServer;
  let tollgate: (args: string[], input?: string) => Promise<Run>;
  const admin = () => createAdminClient({ baseUrl: server.adminUrl });
  const status = (promise: Promise<unknown>) =>
    promise.then(
      () => 200,
      (err: { status: number }) => err.status,
    );

  before(async () => {
    server = await startTestServer();
    tollgate = (args, input) =>
      runTollgate(args, { env: { TOLLGATE_ADMIN_URL: server.adminUrl, ORY_SDK_URL: '' }, input });
  });
  after(() => server.close());

  describe('create|get|delete jwk', () => {
    it('create jwk generates a key with --alg, --use and --kid and prints the set with its private parts', async () => {
      const created = JSON.parse(
        ok(
          await tollgate(['create', 'jwk', 'cli-set', '--alg', 'ES256', '--kid', 'k-es', '--format', 'json']),
        ),
      );
      expect(created.set).to.equal('cli-set');
      expect(created.keys).to.have.length(1);
      expect(created.keys[0]).to.include({
        set: 'cli-set',
        kid: 'k-es',
        alg: 'ES256',
        use: 'sig',
        kty: 'EC',
      });
      expect(created.keys[0].d).to.be.a('string');
      const { data } = await admin().GET('/admin/keys/{set}', { params: { path: { set: 'cli-set' } } });
      expect(data.keys?.map((k) => k.kid)).to.deep.equal(['k-es']);
    });

    it("takes Hydra's positional key id, defaults to RS256 for sig, prints a table, and -q the key ids", async () => {
      const table = ok(await tollgate(['create', 'jwks', 'cli-set', 'k-rsa']));
      const lines = table.trimEnd().split('\n');
      expect(lines[0]).to.match(/^SET ID\s+KEY ID\s+ALGORITHM\s+USE$/);
      expect(lines[1]).to.match(/^cli-set\s+k-rsa\s+RS256\s+sig$/);
      expect(ok(await tollgate(['create', 'jwk', 'cli-other', '--alg', 'EdDSA', '-q']))).to.match(/^\S+\n$/);
    });

    it('--public leaves out the private parts', async () => {
      const created = JSON.parse(
        ok(await tollgate(['create', 'jwk', 'cli-pub', '--alg', 'RS256', '--public', '--format', 'json'])),
      );
      expect(created.keys[0]).to.include.keys('n', 'e', 'kid');
      expect(created.keys[0]).not.to.have.any.keys('d', 'p', 'q', 'dp', 'dq', 'qi');
      const fetched = JSON.parse(
        ok(await tollgate(['get', 'jwk', 'cli-pub', '--public', '--format', 'json'])),
      );
      expect(fetched).to.include({ set: 'cli-pub', kid: created.keys[0].kid });
      expect(fetched).not.to.have.any.keys('d', 'p', 'q');
    });

    it('get jwk prints one key as rows, several as a table, and JSON with each key and its set', async () => {
      const rows = ok(await tollgate(['get', 'jwk', 'cli-pub']));
      expect(rows).to.match(/^SET ID\s+cli-pub$/m);
      expect(rows).to.match(/^ALGORITHM\s+RS256$/m);
      const table = ok(await tollgate(['get', 'jwk', 'cli-set']))
        .trimEnd()
        .split('\n');
      expect(table[0]).to.match(/^SET ID\s+KEY ID/);
      expect(table.slice(1).map((line) => line.split(/\s+/)[1])).to.have.members(['k-es', 'k-rsa']);
      const both = JSON.parse(ok(await tollgate(['get', 'jwk', 'cli-set', 'cli-pub', '--format', 'json'])));
      expect(both).not.to.have.property('set');
      expect(both.keys.map((k: { set: string }) => k.set)).to.deep.equal(['cli-set', 'cli-set', 'cli-pub']);
      expect(both.keys[0].d).to.be.a('string');
    });

    it('refuses two different key ids with exit code 2, and reports an unknown set with exit code 1', async () => {
      const twoIds = await tollgate(['create', 'jwk', 'cli-set', 'a', '--kid', 'b']);
      expect(twoIds.code).to.equal(2);
      expect(twoIds.stderr).to.equal('tollgate: two key ids given: a and --kid b\n');
      const missing = await tollgate(['get', 'jwk', 'cli-no-such-set']);
      expect(missing.code).to.equal(1);
      expect(missing.stderr).to.match(/^tollgate: the server answered 404: /);
    });

    it('delete jwk deletes every set it can, reports the others and exits with 1', async () => {
      const result = await tollgate(['delete', 'jwk', 'cli-set', 'cli-no-such-set', 'cli-pub']);
      expect(result.code).to.equal(1);
      expect(result.stdout).to.equal('SET ID\ncli-set\ncli-pub\n');
      expect(result.stderr).to.match(
        /^tollgate: cannot delete JSON Web Key set cli-no-such-set: the server answered 404: .+\n$/,
      );
      for (const set of ['cli-set', 'cli-pub'])
        expect(await status(admin().GET('/admin/keys/{set}', { params: { path: { set } } }))).to.equal(404);
      expect(ok(await tollgate(['delete', 'jwks', 'cli-other', '-q']))).to.equal('cli-other\n');
    });
  });

  describe('import client', () => {
    let dir: string;
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'tollgate-import-'));
    });

    it('creates every client of a file holding an array, printing each with its secret', async () => {
      const file = join(dir, 'clients.json');
      await writeFile(
        file,
        JSON.stringify([
          { client_id: 'imp-a', client_secret: 'imp-a-secret-0123', grant_types: ['client_credentials'] },
          { client_id: 'imp-b', scope: 'read write' },
        ]),
      );
      const table = ok(await tollgate(['import', 'oauth2-client', file]))
        .trimEnd()
        .split('\n');
      expect(table[0]).to.match(/^CLIENT ID\s+CLIENT SECRET\s+GRANT TYPES/);
      expect(table[1]).to.match(/^imp-a\s+imp-a-secret-0123\s+client_credentials/);
      const generated = /^imp-b\s+(\S+)/.exec(table[2]!)?.[1];
      expect(generated).to.be.a('string').with.length.greaterThan(20);
      const { data } = await admin().GET('/admin/clients/{id}', { params: { path: { id: 'imp-b' } } });
      expect(data.scope).to.equal('read write');
    });

    it("reads one client object from stdin ('-' or no file) and prints it like create client", async () => {
      const one = JSON.parse(
        ok(
          await tollgate(
            ['import', 'client', '-', '--format', 'json'],
            JSON.stringify({ client_id: 'imp-stdin', grant_types: ['client_credentials'] }),
          ),
        ),
      );
      expect(one).to.include({ client_id: 'imp-stdin' });
      expect(one.client_secret).to.be.a('string');
      const rows = ok(await tollgate(['import', 'clients'], JSON.stringify([{ client_id: 'imp-none' }])));
      expect(rows).to.match(/^CLIENT ID\s+imp-none$/m);
      expect(rows).to.match(/^CLIENT SECRET\s+\S+$/m);
    });

    it('imports what it can from several files, reports clients that exist already and exits with 1', async () => {
      const first = join(dir, 'first.json');
      const second = join(dir, 'second.json');
      await writeFile(first, JSON.stringify({ client_id: 'imp-c' }));
      await writeFile(second, JSON.stringify([{ client_id: 'imp-a' }, { client_id: 'imp-d' }]));
      const result = await tollgate(['import', 'client', first, second, '-q']);
      expect(result.code).to.equal(1);
      expect(result.stdout).to.equal('imp-c\nimp-d\n');
      expect(result.stderr).to.match(
        new RegExp(`^tollgate: cannot import client imp-a from ${second}: the server answered 409: .+\\n$`),
      );
      expect(
        await status(admin().GET('/admin/clients/{id}', { params: { path: { id: 'imp-d' } } })),
      ).to.equal(200);
    });

    it('refuses input that is not JSON, not clients, or missing, with exit code 2 and nothing created', async () => {
      const notJson = await tollgate(['import', 'client'], '{client_id: imp-x}');
      expect(notJson.code).to.equal(2);
      expect(notJson.stderr).to.match(/^tollgate: stdin is not valid JSON: /);
      const notClients = await tollgate(
        ['import', 'client', '-'],
        JSON.stringify([{ client_id: 'imp-y' }, 7]),
      );
      expect(notClients.code).to.equal(2);
      expect(notClients.stderr).to.equal(
        'tollgate: stdin must hold a JSON object (an OAuth 2.0 client) or an array of them\n',
      );
      const missing = await tollgate(['import', 'client', join(dir, 'no-such-file.json')]);
      expect(missing.code).to.equal(2);
      expect(missing.stderr).to.include('ENOENT');
      expect(
        await status(admin().GET('/admin/clients/{id}', { params: { path: { id: 'imp-y' } } })),
      ).to.equal(404);
    });
  });
});
