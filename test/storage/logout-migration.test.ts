// The logout migration on a real PostgreSQL: the table and every column are documented, the state is checked,
// and down() takes back exactly what up() added (the table and the flows index); up() runs again after it.
import { expect } from 'chai';
import type { Knex } from 'knex';
import { parsePostgresDsn } from '../../server/storage/dsn.js';
import { createKnex, migratorConfig } from '../../server/storage/knex.js';
import { createDatabase } from '../helpers/postgres.js';

const MIGRATION = '20261207000100_create_logout_requests.js';
const INDEX = 'oauth2_flows_used_login_session_idx';

describe(`migration ${MIGRATION}`, () => {
  let knex: Knex;
  before(async () => {
    knex = createKnex(parsePostgresDsn(await createDatabase('logout_migration'), 2));
    await knex.migrate.latest(migratorConfig());
  });
  after(() => knex.destroy());

  const exists = async () => ({
    table: await knex.schema.hasTable('oauth2_logout_requests'),
    index:
      (await knex.raw<{ rows: unknown[] }>('SELECT 1 FROM pg_indexes WHERE indexname = ?', [INDEX])).rows
        .length === 1,
  });

  it('comments the table and every column', async () => {
    const { rows } = await knex.raw<{ rows: { column_name: string; comment: string | null }[] }>(
      `SELECT column_name, col_description('oauth2_logout_requests'::regclass, ordinal_position) AS comment
         FROM information_schema.columns WHERE table_name = 'oauth2_logout_requests'`,
    );
    expect(rows.length).to.equal(11);
    expect(rows.filter((r) => !r.comment?.trim()).map((r) => r.column_name)).to.deep.equal([]);
    const { rows: table } = await knex.raw<{ rows: { comment: string | null }[] }>(
      "SELECT obj_description('oauth2_logout_requests'::regclass) AS comment",
    );
    expect(table[0]?.comment).to.be.a('string').and.not.equal('');
  });

  it('refuses a state outside the four states', async () => {
    const insert = (state: string) =>
      knex('oauth2_logout_requests').insert({
        challenge: `c-${state}`,
        verifier_hash: `v-${state}`,
        subject: 's',
        sid: '3f1c2f8e-4a4b-4c4d-8e8f-000000000002',
        request_url: 'http://x/',
        post_logout_redirect_uri: 'http://x/',
        rp_initiated: false,
        state,
        requested_at: new Date(),
        expires_at: new Date(),
      });
    await insert('nonsense').then(
      () => expect.fail('inserted'),
      (err: { constraint?: string }) => expect(err.constraint).to.equal('oauth2_logout_requests_state_check'),
    );
    await insert('initialized');
  });

  it('down() drops the table and the index and nothing else; up() runs again', async () => {
    expect(await exists()).to.deep.equal({ table: true, index: true });
    await knex.migrate.down({ ...migratorConfig(), name: MIGRATION });
    expect(await exists()).to.deep.equal({ table: false, index: false });
    expect(await knex.schema.hasTable('oauth2_flows')).to.equal(true);
    await knex.migrate.latest(migratorConfig());
    expect(await exists()).to.deep.equal({ table: true, index: true });
  });
});
