// Readiness's database check (storage/health.ts) on a real PostgreSQL: once every migration has run, a probe
// is one query (the count of recorded migrations), and a rollback still turns it not ready.
import { expect } from 'chai';
import type { Knex } from 'knex';
import pino from 'pino';
import { parsePostgresDsn } from '../../server/storage/dsn.js';
import { databaseHealth } from '../../server/storage/health.js';
import { createKnex, migratorConfig } from '../../server/storage/knex.js';
import { createDatabase } from '../helpers/postgres.js';

describe('database readiness', () => {
  let knex: Knex;
  before(async () => {
    knex = createKnex(parsePostgresDsn(await createDatabase('health'), 2));
    await knex.migrate.latest(migratorConfig());
  });
  after(() => knex.destroy());

  /** The SQL statements one probe sends, and its answer. */
  async function probe(health: ReturnType<typeof databaseHealth>) {
    const sent: string[] = [];
    const record = (q: { sql: string }) => sent.push(q.sql);
    knex.on('query', record);
    try {
      return { answer: await health.notReady(), sent };
    } finally {
      knex.off('query', record);
    }
  }

  it('lists migrations until ready, then only counts them, and lists again after a rollback', async () => {
    const health = databaseHealth(knex, pino({ enabled: false }));
    expect((await probe(health)).answer).to.equal(null);
    const ready = await probe(health);
    expect(ready.answer).to.equal(null);
    expect(ready.sent).to.have.length(1);
    expect(ready.sent[0]).to.match(/count\(\*\).*tollgate_migrations/);

    await knex.migrate.down(migratorConfig());
    expect((await probe(health)).answer).to.deep.equal({ database: '1 migration(s) pending' });
    expect((await probe(health)).answer).to.deep.equal({ database: '1 migration(s) pending' });
    await knex.migrate.latest(migratorConfig());
    expect((await probe(health)).answer).to.equal(null);
  });
});
