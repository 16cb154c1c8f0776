// JtiStore conformance, on PostgreSQL and in memory: a jti is claimed once until it expires, then again; of
// concurrent claims exactly one wins. Then the janitor removes expired ids, and an outage is a 503.
import { expect } from 'chai';
import type { Knex } from 'knex';
import { TemporarilyUnavailable } from '../../server/oauth2/errors.js';
import type { JtiStore } from '../../server/oauth2/ports.js';
import { parsePostgresDsn } from '../../server/storage/dsn.js';
import { createKnex, migratorConfig } from '../../server/storage/knex.js';
import { deleteExpiredTokens } from '../../server/storage/pg-janitor.js';
import { PgJtiStore } from '../../server/storage/pg-jti-store.js';
import { MemoryJtiStore } from '../helpers/memory-jti-store.js';
import { createDatabase } from '../helpers/postgres.js';

describe('JtiStore', () => {
  let knex: Knex;
  before(async function () {
    this.timeout(60_000);
    knex = createKnex(parsePostgresDsn(await createDatabase('jti'), 8));
    await knex.migrate.latest(migratorConfig());
  });
  after(() => knex?.destroy());

  const backends: { name: string; open(): JtiStore }[] = [
    { name: 'memory', open: () => new MemoryJtiStore() },
    { name: 'PostgreSQL', open: () => new PgJtiStore(knex) },
  ];

  for (const backend of backends) {
    describe(`JtiStore (${backend.name})`, () => {
      const later = () => new Date(Date.now() + 60_000);
      let n = 0;
      const jti = () => `jti-${backend.name}-${process.pid}-${++n}`;

      it('claims a new jti once, and refuses it while it has not expired', async () => {
        const store = backend.open();
        const id = jti();
        expect(await store.claim(id, later())).to.equal(true);
        expect(await store.claim(id, later())).to.equal(false);
        expect(await store.claim(jti(), later())).to.equal(true);
      });

      it('claims it again once the earlier use has expired', async () => {
        const store = backend.open();
        const id = jti();
        expect(await store.claim(id, new Date(Date.now() - 1000))).to.equal(true);
        expect(await store.claim(id, later())).to.equal(true);
        expect(await store.claim(id, later())).to.equal(false);
      });

      it('lets exactly one of concurrent claims win', async () => {
        const store = backend.open();
        const id = jti();
        const results = await Promise.all(Array.from({ length: 8 }, () => store.claim(id, later())));
        expect(results.filter(Boolean)).to.have.length(1);
      });
    });
  }

  describe('JtiStore (PostgreSQL only)', () => {
    it('keeps an unbounded jti as a fixed-size hash', async () => {
      const long = 'x'.repeat(10_000);
      expect(await new PgJtiStore(knex).claim(long, new Date(Date.now() + 60_000))).to.equal(true);
      const rows = await knex('oauth2_jti_seen').select('signature');
      for (const row of rows) expect(row.signature).to.match(/^[0-9a-f]{64}$/);
    });

    it('the janitor removes expired ids and keeps live ones', async () => {
      const store = new PgJtiStore(knex);
      await store.claim('janitor-old', new Date(Date.now() - 1000));
      await store.claim('janitor-live', new Date(Date.now() + 60_000));
      await deleteExpiredTokens(knex, { batchSize: 100, limit: 1000 });
      expect(await store.claim('janitor-live', new Date(Date.now() + 60_000))).to.equal(false);
      const left = await knex('oauth2_jti_seen')
        .where('expires_at', '<', new Date())
        .count<{ count: string }[]>();
      expect(Number(left[0]!.count)).to.equal(0);
    });

    it('answers 503 (TemporarilyUnavailable) when the database is unreachable', async () => {
      const down = createKnex(parsePostgresDsn('postgres://nobody:x@127.0.0.1:1/none', 1));
      try {
        const err = await new PgJtiStore(down).claim('x', new Date()).catch((e: unknown) => e);
        expect(err).to.be.instanceOf(TemporarilyUnavailable);
      } finally {
        await down.destroy();
      }
    });
  });
});
