// @ts-check
// Every statement that changes the revocation state of stateless JWTs (a client's not-before, the denylist,
// the janitor's clean-up) is announced on `tollgate_changes`, so each replica drops its cached answers at once
// (cache/revocation-cache.ts). The notifying function is the generic one of migration 20261126000300.

/** @param {import('knex').Knex} knex */
export async function up(knex) {
  await knex.raw(`
    CREATE TRIGGER oauth2_token_not_before_notify AFTER INSERT OR UPDATE OR DELETE ON oauth2_token_not_before
      FOR EACH STATEMENT EXECUTE FUNCTION tollgate_notify_token_deletion();
    CREATE TRIGGER oauth2_revoked_stateless_tokens_notify
      AFTER INSERT OR UPDATE OR DELETE ON oauth2_revoked_stateless_tokens
      FOR EACH STATEMENT EXECUTE FUNCTION tollgate_notify_token_deletion();
  `);
}

/** @param {import('knex').Knex} knex */
export async function down(knex) {
  await knex.raw(`
    DROP TRIGGER IF EXISTS oauth2_revoked_stateless_tokens_notify ON oauth2_revoked_stateless_tokens;
    DROP TRIGGER IF EXISTS oauth2_token_not_before_notify ON oauth2_token_not_before;
  `);
}
