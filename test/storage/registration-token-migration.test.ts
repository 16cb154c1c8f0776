// The registration-token migration on a real PostgreSQL: it adds one documented, nullable column to
// oauth2_clients (clients created before it have no registration token), and down() takes back exactly that
// column, keeping the clients; up() runs again after it.
import { expect } from 'chai';
import type { Knex } from 'knex';
import { parsePostgresDsn } from '../../server/storage/dsn.js';
import { createKnex, migratorConfig } from '../../server/storage/knex.js';
import { createDatabase } from '../helpers/postgres.js';

const MIGRATION = '20261207000400_add_client_registration_token.js';

describe(`migration ${MIGRATION}`, () => {
  let knex: Knex;
  before(async () => {
    knex = createKnex(parsePostgresDsn(await createDatabase('registration_token_migration'), 2));
    await knex.migrate.latest(migratorConfig());
  });
  after(() => knex.destroy());

  const column = async () =>
    (
      await knex.raw<{ rows: { is_nullable: string; comment: string | null }[] }>(
        `SELECT c.is_nullable, col_description('oauth2_clients'::regclass, c.ordinal_position) AS comment
           FROM information_schema.columns c
          WHERE c.table_schema = 'public' AND c.table_name = 'oauth2_clients'
            AND c.column_name = 'registration_token_signature'`,
      )
    ).rows;

  it('adds a nullable, commented column: a client stored without a token has none', async () => {
    const [found] = await column();
    expect(found?.is_nullable).to.equal('YES');
    expect(found?.comment).to.be.a('string').and.include('SHA-384');
    await knex('oauth2_clients').insert({
      client_id: 'old',
      document: {},
      created_at: new Date(),
      updated_at: new Date(),
    });
    expect(await knex('oauth2_clients').where({ client_id: 'old' }).first()).to.include({
      registration_token_signature: null,
    });
  });

  it('down() drops that column and keeps the clients; up() runs again', async () => {
    await knex.migrate.down({ ...migratorConfig(), name: MIGRATION });
    expect(await column()).to.deep.equal([]);
    expect(await knex('oauth2_clients').pluck('client_id')).to.deep.equal(['old']);
    await knex.migrate.latest(migratorConfig());
    expect(await column()).to.have.length(1);
  });
});
