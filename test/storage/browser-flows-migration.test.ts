// The browser-flow migration on a real PostgreSQL: every new column is documented in the catalogue, down() takes
// back exactly what up() added (the four tables and oauth2_access_tokens.ext), and up() runs again after it.
import { expect } from 'chai';
import type { Knex } from 'knex';
import { parsePostgresDsn } from '../../server/storage/dsn.js';
import { createKnex, migratorConfig } from '../../server/storage/knex.js';
import { createDatabase } from '../helpers/postgres.js';

const MIGRATION = '20261206000000_create_browser_flows.js';
const TABLES = [
  'oauth2_authentication_sessions',
  'oauth2_authorization_codes',
  'oauth2_flows',
  'oauth2_refresh_tokens',
];

describe(`migration ${MIGRATION}`, () => {
  let knex: Knex;
  before(async () => {
    knex = createKnex(parsePostgresDsn(await createDatabase('flows_migration'), 2));
    await knex.migrate.latest(migratorConfig());
  });
  after(() => knex.destroy());

  const tables = async () =>
    (
      await knex.raw<{ rows: { table_name: string }[] }>(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name = ANY(?)
          ORDER BY table_name`,
        [TABLES],
      )
    ).rows.map((r) => r.table_name);

  const accessTokenColumns = async () =>
    (
      await knex.raw<{ rows: { column_name: string }[] }>(
        `SELECT column_name FROM information_schema.columns
          WHERE table_schema = 'public' AND table_name = 'oauth2_access_tokens' ORDER BY ordinal_position`,
      )
    ).rows.map((r) => r.column_name);

  it('comments every table and every column it adds', async () => {
    expect(await tables()).to.deep.equal(TABLES);
    const { rows } = await knex.raw<{
      rows: { table_name: string; column_name: string; comment: string | null }[];
    }>(
      `SELECT c.table_name, c.column_name,
              col_description(format('%I', c.table_name)::regclass, c.ordinal_position) AS comment
         FROM information_schema.columns c
        WHERE c.table_schema = 'public' AND (c.table_name = ANY(?) OR
              (c.table_name = 'oauth2_access_tokens' AND c.column_name = 'ext'))`,
      [TABLES],
    );
    expect(rows.length).to.be.greaterThan(40);
    expect(
      rows.filter((r) => !r.comment?.trim()).map((r) => `${r.table_name}.${r.column_name}`),
    ).to.deep.equal([]);
    for (const table of TABLES) {
      const { rows: described } = await knex.raw<{ rows: { comment: string | null }[] }>(
        'SELECT obj_description(?::regclass) AS comment',
        [table],
      );
      expect(described[0]?.comment, table).to.be.a('string').and.not.equal('');
    }
  });

  it('refuses a flow state outside the five states', async () => {
    await knex('oauth2_clients').insert({
      client_id: 'c',
      document: {},
      created_at: new Date(),
      updated_at: new Date(),
    });
    const flow = (state: string) =>
      knex('oauth2_flows').insert({
        id: '3f1c2f8e-4a4b-4c4d-8e8f-000000000001',
        client_id: 'c',
        state,
        login_challenge: 'challenge',
        login_csrf: 'csrf',
        request: {},
        requested_at: new Date(),
        expires_at: new Date(),
        login_session_id: '3f1c2f8e-4a4b-4c4d-8e8f-000000000002',
      });
    await flow('nonsense').then(
      () => expect.fail('inserted'),
      (err: { constraint?: string }) => expect(err.constraint).to.equal('oauth2_flows_state_check'),
    );
    await flow('login_initialized');
  });

  it('down() drops the four tables and the ext column and nothing else; up() runs again', async () => {
    // A later migration adds id_token_ext to two of these tables: it goes first.
    await knex.migrate.down({ ...migratorConfig(), name: '20261207000500_token_id_token_ext.js' });
    await knex.migrate.down({ ...migratorConfig(), name: MIGRATION });
    expect(await tables()).to.deep.equal([]);
    expect(await accessTokenColumns()).to.deep.equal([
      'signature',
      'request_id',
      'client_id',
      'subject',
      'granted_scope',
      'granted_audience',
      'requested_at',
      'expires_at',
    ]);
    expect(await knex('oauth2_clients').pluck('client_id')).to.deep.equal(['c']);
    await knex.migrate.latest(migratorConfig());
    expect(await tables()).to.deep.equal(TABLES);
    expect(await accessTokenColumns()).to.include('ext');
  });
});
