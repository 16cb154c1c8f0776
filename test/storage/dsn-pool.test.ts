// Hydra's DSN pool options on a real PostgreSQL: max_conns bounds the open connections.
import { expect } from 'chai';
import { parsePostgresDsn } from '../../server/storage/dsn.js';
import { createKnex } from '../../server/storage/knex.js';
import { createDatabase } from '../helpers/postgres.js';

describe('DSN pool options (max_conns, max_idle_conns, max_conn_idle_time)', () => {
  it('takes the pool options out of the connection string', () => {
    const parsed = parsePostgresDsn(
      'postgres://hydra:secret@db:5432/hydra?sslmode=disable&max_conns=20&max_idle_conns=4&max_conn_idle_time=10s',
      2,
    );
    expect(parsed.connectionString).to.equal('postgres://hydra:secret@db:5432/hydra?sslmode=disable');
    expect(parsed.pool).to.deep.equal({ max: 20, maxIdle: 4, idleTimeoutMs: 10_000 });
  });

  it('defaults to 2 × CPUs connections, like Hydra', () => {
    expect(parsePostgresDsn('postgres://u@h/d', 3).pool.max).to.equal(6);
  });

  it('rejects malformed values', () => {
    expect(() => parsePostgresDsn('postgres://u@h/d?max_conns=many', 2)).to.throw(/max_conns/);
  });

  it('never opens more than max_conns connections under concurrent load', async () => {
    const url = new URL(await createDatabase('pool'));
    url.searchParams.set('max_conns', '2');
    url.searchParams.set('application_name', 'pool-test');
    const knex = createKnex(parsePostgresDsn(url.toString(), 2));
    const observer = createKnex(parsePostgresDsn(url.toString().replace('pool-test', 'observer'), 2));
    try {
      // knex builders are lazy: `.then` starts each query now. Six queries of 0.5 s on a pool of two take
      // about 1.5 s; the busiest moment seen while they run must be exactly two connections.
      let done = false;
      const sleepers = Promise.all(
        Array.from({ length: 6 }, () => knex.raw('SELECT pg_sleep(0.5)').then(() => undefined)),
      ).finally(() => {
        done = true;
      });
      let busiest = 0;
      while (!done) {
        const { rows } = await observer.raw(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'pool-test'",
        );
        busiest = Math.max(busiest, rows[0].n);
        await new Promise((r) => setTimeout(r, 50));
      }
      await sleepers;
      expect(busiest).to.equal(2);
    } finally {
      await knex.destroy();
      await observer.destroy();
    }
  });
});
