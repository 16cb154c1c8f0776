// @ts-check
// JWT ids already used in client assertions (RFC 7523 §3 item 7) and jwt-bearer grants: each is refused again
// until its assertion expires (Hydra's hydra_oauth2_jti_blacklist).

/** @param {import('knex').Knex} knex */
export async function up(knex) {
  await knex.schema.createTable('oauth2_jti_seen', (t) => {
    t.comment('JWT ids of accepted assertions, kept until the assertion expires');
    t.text('signature')
      .primary()
      .comment('hex(SHA-256(jti)): the jti itself is attacker-chosen and unbounded');
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.index(['expires_at'], 'oauth2_jti_seen_expires_at_idx');
  });
}

/** @param {import('knex').Knex} knex */
export async function down(knex) {
  await knex.schema.dropTable('oauth2_jti_seen');
}
