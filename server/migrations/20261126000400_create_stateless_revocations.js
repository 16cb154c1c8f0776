// @ts-check
// Revocation of stateless JWT access tokens (server/oauth2/stateless.ts): a per-client not-before, and single
// revoked tokens until they expire. Both go with their client.

/** @param {import('knex').Knex} knex */
export async function up(knex) {
  await knex.schema.createTable('oauth2_token_not_before', (t) => {
    t.comment('Per client: stateless tokens issued before not_before are revoked');
    t.specificType('client_id', 'text COLLATE "C"')
      .primary()
      .references('client_id')
      .inTable('oauth2_clients')
      .onDelete('CASCADE');
    t.timestamp('not_before', { useTz: true }).notNullable();
  });
  await knex.schema.createTable('oauth2_revoked_stateless_tokens', (t) => {
    t.comment('Stateless tokens revoked one by one (RFC 7009), kept until they expire');
    t.text('signature').primary().comment('hex(SHA-384(signature part)), as oauth2_access_tokens.signature');
    t.specificType('client_id', 'text COLLATE "C"')
      .notNullable()
      .references('client_id')
      .inTable('oauth2_clients')
      .onDelete('CASCADE');
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.index(['expires_at'], 'oauth2_revoked_stateless_tokens_expires_at_idx');
  });
}

/** @param {import('knex').Knex} knex */
export async function down(knex) {
  await knex.schema.dropTable('oauth2_revoked_stateless_tokens');
  await knex.schema.dropTable('oauth2_token_not_before');
}
