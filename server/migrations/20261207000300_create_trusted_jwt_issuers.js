// @ts-check
// Trust relationships of the RFC 7523 jwt-bearer grant (Hydra: hydra_oauth2_trusted_jwt_bearer_issuer). The
// public key is kept on the row, so the grant reads issuer, subject, scope, expiry and key in one query; a copy
// also sits in the key set named after the issuer, as in Hydra (server/trust/trust-service.ts).

/** @param {import('knex').Knex} knex */
export async function up(knex) {
  await knex.schema.createTable('trusted_jwt_issuers', (t) => {
    t.comment('Issuers trusted to sign jwt-bearer grant assertions (RFC 7523 section 2.1)');
    t.uuid('id').primary().comment('Id of the relationship, as the admin API returns it');
    t.text('issuer').notNullable().comment("The assertions' iss, and the key set holding the key");
    t.text('subject').notNullable().comment("The assertions' sub; empty when any subject is allowed");
    t.boolean('allow_any_subject').notNullable().comment('The issuer may name any subject');
    t.specificType('scope', 'text[]').notNullable().comment('Scopes an assertion of this issuer may request');
    t.text('kid').notNullable().comment("The key's id, as in the assertions' kid header");
    t.jsonb('jwk').notNullable().comment('The public JSON Web Key (never private members)');
    t.timestamp('created_at', { useTz: true }).notNullable().comment('Creation time, whole seconds');
    t.timestamp('expires_at', { useTz: true }).notNullable().comment('Assertions are refused afterwards');
    // Hydra's unique index: one key per issuer, subject and kid (a second create is a 409).
    t.unique(['issuer', 'subject', 'kid']);
  });
}

/** @param {import('knex').Knex} knex */
export async function down(knex) {
  await knex.schema.dropTable('trusted_jwt_issuers');
}
