// @ts-check
// JSON Web Keys (Hydra: hydra_jwk). Private keys are stored AES-256-GCM encrypted with SECRETS_SYSTEM[0].

/** @param {import('knex').Knex} knex */
export async function up(knex) {
  await knex.schema.createTable('jwks', (t) => {
    t.comment('JSON Web Key sets: token signing keys and keys managed through /admin/keys');
    t.text('set_id').notNullable().comment('Key set name, e.g. hydra.jwt.access-token');
    t.text('kid').notNullable().comment('Key id, unique within its set');
    t.text('key_data').notNullable().comment('Encrypted JWK JSON (base64url of nonce, ciphertext and tag)');
    t.timestamp('created_at', { useTz: true }).notNullable().comment('Creation time; newest key signs');
    t.primary(['set_id', 'kid']);
  });
}

/** @param {import('knex').Knex} knex */
export async function down(knex) {
  await knex.schema.dropTable('jwks');
}
