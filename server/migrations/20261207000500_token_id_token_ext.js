// @ts-check
// The ID token's extra claims travel with each refresh token, as the access token's already do (`ext`): a token
// hook may change both at any exchange, and the next refresh starts from what the last one issued
// (docs/token-hooks.md). Access tokens keep them too when a hook changed them, for userinfo. NULL: the consent's
// session.id_token applies.

/** @param {import('knex').Knex} knex */
export async function up(knex) {
  await knex.schema.alterTable('oauth2_refresh_tokens', (t) => {
    t.jsonb('id_token_ext')
      .nullable()
      .comment(
        "The ID token's extra claims issued with this token (consent or token hook), for the next refresh",
      );
  });
  await knex.schema.alterTable('oauth2_access_tokens', (t) => {
    t.jsonb('id_token_ext')
      .nullable()
      .comment("The ID token's extra claims when a token hook changed them (userinfo); NULL: the consent's");
  });
}

/** @param {import('knex').Knex} knex */
export async function down(knex) {
  await knex.schema.alterTable('oauth2_access_tokens', (t) => {
    t.dropColumn('id_token_ext');
  });
  await knex.schema.alterTable('oauth2_refresh_tokens', (t) => {
    t.dropColumn('id_token_ext');
  });
}
