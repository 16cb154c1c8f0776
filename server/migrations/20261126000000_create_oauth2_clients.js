// @ts-check
// OAuth 2.0 clients (Hydra: hydra_client). The full client JSON lives in `document`; the columns beside it are
// the ones queried or secret.

/** @param {import('knex').Knex} knex */
export async function up(knex) {
  await knex.schema.createTable('oauth2_clients', (t) => {
    t.comment('OAuth 2.0 clients registered through the admin API');
    // Byte order (COLLATE "C"): list pagination is keyset on client_id and must not depend on the locale.
    t.specificType('client_id', 'text COLLATE "C"')
      .primary()
      .comment('Client identifier, free-form as in Hydra (UUIDv4 when generated)');
    t.text('client_name').notNullable().defaultTo('').comment('Human-readable name; exact-match list filter');
    t.text('owner').notNullable().defaultTo('').comment('Owner label; exact-match list filter');
    t.text('secret_hash')
      .nullable()
      .comment('PBKDF2-SHA256 hash in Hydra format ($pbkdf2-sha256$...); never the secret');
    t.jsonb('document')
      .notNullable()
      .comment('Every other client field, as GET /admin/clients/{id} returns it');
    t.timestamp('created_at', { useTz: true }).notNullable().comment('Creation time; never updated');
    t.timestamp('updated_at', { useTz: true })
      .notNullable()
      .comment('Time of the last create, PUT, PATCH or lifespan change');
    t.index(['client_name'], 'oauth2_clients_client_name_idx');
    t.index(['owner'], 'oauth2_clients_owner_idx');
  });
}

/** @param {import('knex').Knex} knex */
export async function down(knex) {
  await knex.schema.dropTable('oauth2_clients');
}
