// @ts-check
// The device authorization grant (RFC 8628): device codes with their user codes and polling state, and the
// device challenges of the verification page (Hydra keeps both in hydra_oauth2_device_auth_codes and in its
// encrypted challenges). The login and consent steps reuse oauth2_flows; a device code names its flow once the
// user's browser reaches the login step.

/** @param {import('knex').Knex} knex */
export async function up(knex) {
  await knex.schema.createTable('oauth2_device_codes', (t) => {
    t.comment('Device codes (ory_dc_) of the device authorization grant, with their user codes');
    t.text('signature')
      .primary()
      .comment('hex(SHA-384(signature part of the device code)), as access tokens; never the code');
    t.text('user_code_signature')
      .notNullable()
      .unique()
      .comment('hex(HMAC-SHA-256) of the normalised user code under a server key; never the user code');
    t.specificType('client_id', 'text COLLATE "C"')
      .notNullable()
      .references('client_id')
      .inTable('oauth2_clients')
      .onDelete('CASCADE')
      .comment('Client that asked for the code; deleting the client deletes its device codes');
    t.jsonb('requested_scope').notNullable().comment('Scopes the device asked for');
    t.jsonb('requested_audience').notNullable().comment('Audiences the device asked for');
    t.timestamp('requested_at', { useTz: true }).notNullable().comment('When the device asked');
    t.timestamp('expires_at', { useTz: true })
      .notNullable()
      .comment('requested_at + ttl.device_user_code: the device code and the user code expire then');
    t.integer('interval_seconds')
      .notNullable()
      .comment('Polling interval: token_polling_interval, plus 5 s per slow_down (RFC 8628 §3.5)');
    t.timestamp('last_polled_at', { useTz: true })
      .nullable()
      .comment('Last token request while the code was pending, for slow_down');
    t.uuid('flow_id')
      .nullable()
      .unique()
      .comment(
        'The login and consent flow (oauth2_flows.id) the user started with the user code; no foreign key, the flow row is written after',
      );
    t.timestamp('used_at', { useTz: true })
      .nullable()
      .comment('When the device code was exchanged for tokens; a second exchange is refused');
    t.index(['client_id'], 'oauth2_device_codes_client_id_idx');
    t.index(['expires_at'], 'oauth2_device_codes_expires_at_idx');
  });

  await knex.schema.createTable('oauth2_device_challenges', (t) => {
    t.comment('Device challenges: one per visit of /oauth2/device/verify, until the user code is accepted');
    t.text('challenge').primary().comment('Device challenge handed to the verification page');
    t.text('csrf').notNullable().comment('Value the device CSRF cookie must carry');
    t.timestamp('expires_at', { useTz: true }).notNullable().comment('Creation + ttl.login_consent_request');
    t.integer('failed_attempts')
      .notNullable()
      .defaultTo(0)
      .comment('Wrong user codes tried with this challenge (bounded against guessing)');
    t.text('device_code_signature')
      .nullable()
      .comment('The device code whose user code was accepted (oauth2_device_codes.signature)');
    t.text('verifier')
      .nullable()
      .unique()
      .comment('hex(SHA-256) of the device verifier handed out by the accept');
    t.timestamp('used_at', { useTz: true })
      .nullable()
      .comment('When the device verifier was redeemed (the login step started)');
    t.index(['expires_at'], 'oauth2_device_challenges_expires_at_idx');
  });
}

/** @param {import('knex').Knex} knex */
export async function down(knex) {
  await knex.schema.dropTable('oauth2_device_challenges');
  await knex.schema.dropTable('oauth2_device_codes');
}
