// @ts-check
// RFC 7592 client management (server/clients/registration.ts): each client keeps the storage key of its
// registration access token, never the token, as Hydra keeps `registration_access_token_signature`.

/** @param {import('knex').Knex} knex */
export async function up(knex) {
  await knex.schema.alterTable('oauth2_clients', (t) => {
    t.text('registration_token_signature')
      .nullable()
      .comment(
        'hex(SHA-384(signature part)) of the registration access token; replaced on every RFC 7592 PUT',
      );
  });
}

/** @param {import('knex').Knex} knex */
export async function down(knex) {
  await knex.schema.alterTable('oauth2_clients', (t) => {
    t.dropColumn('registration_token_signature');
  });
}
