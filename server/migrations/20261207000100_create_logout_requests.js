// @ts-check
// OpenID Connect logout requests (Hydra: hydra_oauth2_logout_request): one row per /oauth2/sessions/logout that
// needs the logout UI, until its verifier is redeemed. The challenge is what the logout UI receives; only the
// verifier's hash is kept, as for login and consent.

const LOGOUT_STATES = ['initialized', 'accepted', 'rejected', 'used'];

/** @param {import('knex').Knex} knex */
export async function up(knex) {
  await knex.schema.createTable('oauth2_logout_requests', (t) => {
    t.comment('Logout requests, from /oauth2/sessions/logout to the redirect after the logout');
    t.text('challenge').primary().comment('Logout challenge handed to the logout UI');
    t.text('verifier_hash')
      .notNullable()
      .unique()
      .comment('hex(SHA-256) of the logout verifier the accept hands out');
    t.text('subject').notNullable().comment('Subject of the session being ended');
    t.uuid('sid').notNullable().comment('Login session being ended (the sid claim)');
    t.specificType('client_id', 'text COLLATE "C"')
      .nullable()
      .references('client_id')
      .inTable('oauth2_clients')
      .onDelete('CASCADE')
      .comment('Client that asked (RP-initiated); NULL when OP-initiated');
    t.text('request_url').notNullable().comment('The logout URL as received');
    t.text('post_logout_redirect_uri')
      .notNullable()
      .comment('Where the browser goes after the logout, state included');
    t.boolean('rp_initiated').notNullable().comment('A relying party identified itself');
    t.text('state')
      .notNullable()
      .checkIn(LOGOUT_STATES, 'oauth2_logout_requests_state_check')
      .comment('initialized → accepted → used, or rejected');
    t.timestamp('requested_at', { useTz: true }).notNullable().comment('When the logout was requested');
    t.timestamp('expires_at', { useTz: true })
      .notNullable()
      .comment('requested_at + ttl.login_consent_request; the janitor removes the row later');
    t.index(['expires_at'], 'oauth2_logout_requests_expires_at_idx');
    t.index(['client_id'], 'oauth2_logout_requests_client_id_idx');
  });
  // Front- and back-channel logout ask which clients were consented to during a login session.
  await knex.raw(
    "CREATE INDEX oauth2_flows_used_login_session_idx ON oauth2_flows (login_session_id) WHERE state = 'consent_used'",
  );
}

/** @param {import('knex').Knex} knex */
export async function down(knex) {
  await knex.raw('DROP INDEX IF EXISTS oauth2_flows_used_login_session_idx');
  await knex.schema.dropTable('oauth2_logout_requests');
}
