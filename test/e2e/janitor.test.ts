// Bounded storage (issue 5): expired access tokens are deleted in the background in small batches, and by
// `tollgate janitor` with Hydra's flags; unexpired tokens stay.
import { expect } from 'chai';
import pg from 'pg';
import { runTollgate } from '../helpers/cli.js';
import { ccClient, introspect, issueToken, sleep } from '../helpers/oauth2.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

async function countTokens(dsn: string): Promise<number> {
  const db = new pg.Client({ connectionString: dsn });
  await db.connect();
  try {
    return (await db.query('SELECT count(*)::int AS n FROM oauth2_access_tokens')).rows[0].n;
  } finally {
    await db.end();
  }
}

describe('bounded storage: expired tokens are removed', () => {
  describe('in the background (janitor.interval, janitor.batch_size)', () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer({ 'janitor.interval': '300ms', 'janitor.batch_size': 2 });
    });
    after(() => server.close());

    it('the token table shrinks back once tokens expire; a live token stays', async () => {
      const shortLived = await ccClient(server, { client_credentials_grant_access_token_lifespan: '1s' });
      const longLived = await ccClient(server);
      for (let i = 0; i < 7; i++) await issueToken(server, shortLived);
      const live = await issueToken(server, longLived);
      const sizes = [await countTokens(server.dsn)];
      expect(sizes[0]).to.equal(8);
      const deadline = Date.now() + 15_000;
      while (sizes.at(-1)! > 1 && Date.now() < deadline) {
        await sleep(200);
        sizes.push(await countTokens(server.dsn));
      }
      expect(sizes.at(-1), `table sizes seen: ${sizes.join(', ')}`).to.equal(1);
      expect(await introspect(server, live)).to.include({ active: true });
      expect(server.logs.some((l) => l.includes('janitor removed expired access tokens'))).to.equal(true);
    });
  });

  describe('tollgate janitor', () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer({ 'janitor.interval': '0' });
    });
    after(() => server.close());

    it('deletes expired tokens in batches up to --limit, honours --keep-if-younger, and needs --tokens', async () => {
      const client = await ccClient(server, { client_credentials_grant_access_token_lifespan: '1s' });
      for (let i = 0; i < 5; i++) await issueToken(server, client);
      await ccClient(server).then((c) => issueToken(server, c));
      await sleep(1200);
      expect(await countTokens(server.dsn)).to.equal(6);

      const none = await runTollgate(['janitor', server.dsn]);
      expect(none.code).to.equal(2);
      expect(none.stderr).to.include('Janitor requires at least one of --tokens, --requests or --grants');

      const young = await runTollgate(['janitor', server.dsn, '--tokens', '--keep-if-younger', '1h']);
      expect(young.stdout, young.stderr).to.include('Deleted 0 expired access token(s).');

      const first = await runTollgate([
        'janitor',
        server.dsn,
        '--tokens',
        '--batch-size',
        '2',
        '--limit',
        '3',
      ]);
      expect(first.code, first.stderr).to.equal(0);
      expect(first.stdout).to.include('Deleted 3 expired access token(s).');
      expect(await countTokens(server.dsn)).to.equal(3);

      const rest = await runTollgate(['janitor', '-e', '--tokens', '--batch-size', '2'], {
        env: { DSN: server.dsn },
      });
      expect(rest.stdout, rest.stderr).to.include('Deleted 2 expired access token(s).');
      expect(await countTokens(server.dsn)).to.equal(1);
    });
  });
});
