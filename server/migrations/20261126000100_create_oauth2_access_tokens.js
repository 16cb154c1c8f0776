// @ts-check
// Issued access tokens (Hydra: hydra_oauth2_access). Only a hash of the token's signature part is stored.

/** @param {import('knex').Knex} knex */
export async function up(knex) {
  await knex.schema.createTable('oauth2_access_tokens', (t) => {
    t.comment('Access tokens issued by /oauth2/token, opaque and JWT alike');
    t.text('signature')
      .primary()
      .comment('hex(SHA-384(signature part of the token)), as Hydra; never the token');
    t.uuid('request_id')
      .notNullable()
      .comment('Token request this token belongs to; RFC 7009 revocation deletes by it');
    t.specificType('client_id', 'text COLLATE "C"')
      .notNullable()
      .references('client_id')
      .inTable('oauth2_clients')
      .onDelete('CASCADE')
      .comment('Client the token was issued to; deleting the client deletes its tokens');
    t.text('subject').notNullable().comment('Token subject (the client id for client_credentials)');
    t.specificType('granted_scope', 'text[]').notNullable().comment('Scopes granted, in request order');
    t.specificType('granted_audience', 'text[]').notNullable().comment('Audiences granted, in request order');
    t.timestamp('requested_at', { useTz: true })
      .notNullable()
      .comment('Issue time: iat and nbf of the token');
    t.timestamp('expires_at', { useTz: true }).notNullable().comment('Expiry: exp of the token');
    t.index(['client_id'], 'oauth2_access_tokens_client_id_idx');
    t.index(['request_id'], 'oauth2_access_tokens_request_id_idx');
    t.index(['expires_at'], 'oauth2_access_tokens_expires_at_idx');
  });
}

/** @param {import('knex').Knex} knex */
export async function down(knex) {
  await knex.schema.dropTable('oauth2_access_tokens');
}
