// PgAccessTokenStore on a real PostgreSQL: the grouped INSERT (one prepared statement over unnested arrays)
// stores every value exactly, a batch with one bad row still stores the others, and grouped look-ups find each.
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { Knex } from 'knex';
import type { AccessTokenRecord } from '../../server/oauth2/ports.js';
import { parsePostgresDsn } from '../../server/storage/dsn.js';
import { createKnex, migratorConfig } from '../../server/storage/knex.js';
import { PgAccessTokenStore } from '../../server/storage/pg-token-store.js';
import { createDatabase } from '../helpers/postgres.js';

describe('PgAccessTokenStore (grouped writes and reads)', () => {
  let knex: Knex;
  let store: PgAccessTokenStore;
  before(async () => {
    knex = createKnex(parsePostgresDsn(await createDatabase('tokens'), 2));
    await knex.migrate.latest(migratorConfig());
    for (const id of ['client-a', 'client "b"']) {
      await knex('oauth2_clients').insert({
        client_id: id,
        client_name: id,
        document: {},
        created_at: new Date(),
        updated_at: new Date(),
      });
    }
    store = new PgAccessTokenStore(knex);
  });
  after(() => knex.destroy());

  const record = (overrides: Partial<AccessTokenRecord> = {}): AccessTokenRecord => ({
    signature: randomUUID().replaceAll('-', '').repeat(3),
    request_id: randomUUID(),
    client_id: 'client-a',
    subject: 'client-a',
    granted_scope: ['api'],
    granted_audience: [],
    requested_at: new Date(Date.UTC(2026, 10, 26, 5, 0, 0, 123)),
    expires_at: new Date(Date.UTC(2026, 10, 26, 6, 0, 0, 123)),
    ...overrides,
  });

  it('stores array values with quotes, backslashes, commas, braces, blanks and NULL byte-for-byte', async () => {
    const awkward = [
      'https://api.example.com/a,b',
      'say "hi"',
      'back\\slash',
      '{braces}',
      ' spaced ',
      '',
      'NULL',
      'ümlaut ✓',
    ];
    const rows = [
      record({ granted_scope: ['a', 'b.c:d'], granted_audience: awkward }),
      record({ granted_scope: [], granted_audience: [], client_id: 'client "b"', subject: 'client "b"' }),
      record({ granted_scope: awkward }),
    ];
    // Added in one turn of the event loop: one batch.
    await Promise.all(rows.map((r) => store.insert(r)));
    const found = await Promise.all(rows.map((r) => store.get(r.signature)));
    for (const [i, row] of rows.entries()) {
      expect(found[i]).to.deep.include({
        signature: row.signature,
        request_id: row.request_id,
        client_id: row.client_id,
        subject: row.subject,
        granted_scope: row.granted_scope,
        granted_audience: row.granted_audience,
      });
      expect(found[i]?.requested_at.toISOString()).to.equal(row.requested_at.toISOString());
      expect(found[i]?.expires_at.toISOString()).to.equal(row.expires_at.toISOString());
    }
  });

  it("stores a consent's ext as JSON and NULL when absent (client_credentials), in one batch", async () => {
    const ext = { tenant: 'a "b"', roles: ['x', 'y\\z'], nested: { n: 1, none: null } };
    const rows = [record({ ext }), record(), record({ ext: null })];
    await Promise.all(rows.map((r) => store.insert(r)));
    const found = await Promise.all(rows.map((r) => store.get(r.signature)));
    expect(found.map((f) => f?.ext)).to.deep.equal([ext, null, null]);
  });

  it('a row that cannot be stored fails alone; the rest of its batch is stored', async () => {
    const good = [record(), record()];
    const orphan = record({ client_id: 'no-such-client', subject: 'no-such-client' });
    const outcomes = await Promise.allSettled([
      store.insert(good[0]!),
      store.insert(orphan),
      store.insert(good[1]!),
    ]);
    expect(outcomes.map((o) => o.status)).to.deep.equal(['fulfilled', 'rejected', 'fulfilled']);
    expect(await store.get(good[0]!.signature)).to.not.equal(null);
    expect(await store.get(good[1]!.signature)).to.not.equal(null);
    expect(await store.get(orphan.signature)).to.equal(null);
  });

  it('many concurrent inserts share statements and are all readable', async () => {
    const rows = Array.from({ length: 300 }, () => record());
    await Promise.all(rows.map((r) => store.insert(r)));
    const found = await Promise.all(rows.map((r) => store.get(r.signature)));
    expect(found.filter((f) => f === null)).to.have.length(0);
    const { rows: count } = await knex.raw(
      'SELECT count(*)::int AS n FROM oauth2_access_tokens WHERE signature = ANY(?)',
      [rows.map((r) => r.signature)],
    );
    expect(count[0].n).to.equal(300);
  });
});
