// @ts-check
// The browser flows (authorization code, implicit, hybrid): one row per authorization request from the first
// /oauth2/auth to the code (Hydra: hydra_oauth2_flow, with short challenges instead of encrypted blobs), remembered
// login sessions, authorization codes and refresh tokens, and the consent's `session.access_token` on access tokens.
// Deleting access tokens already announces itself (20261126000300), so revoking a grant drops cached
// introspections on every replica; codes, refresh tokens, flows and sessions are never cached.

const FLOW_STATES = [
  'login_initialized',
  'login_handled',
  'consent_initialized',
  'consent_handled',
  'consent_used',
];

/** @param {import('knex').Knex} knex */
export async function up(knex) {
  await knex.schema.createTable('oauth2_flows', (t) => {
    t.comment('Authorization requests of the browser flows, from /oauth2/auth to the authorize response');
    t.uuid('id')
      .primary()
      .comment('request_id of every token of the grant; consent_request_id is this id without dashes');
    t.specificType('client_id', 'text COLLATE "C"')
      .notNullable()
      .references('client_id')
      .inTable('oauth2_clients')
      .onDelete('CASCADE')
      .comment('Client of the request; deleting the client deletes its flows, codes and refresh tokens');
    t.text('state')
      .notNullable()
      .checkIn(FLOW_STATES, 'oauth2_flows_state_check')
      .comment('login_initialized → login_handled → consent_initialized → consent_handled → consent_used');
    t.text('login_challenge').notNullable().unique().comment('Login challenge handed to the login UI');
    t.text('login_verifier')
      .nullable()
      .unique()
      .comment('hex(SHA-256) of the login verifier, set by the first accept or reject and kept on repeats');
    t.text('login_csrf').notNullable().comment('Value the login CSRF cookie must carry');
    t.text('consent_challenge').nullable().unique().comment('Consent challenge handed to the consent UI');
    t.text('consent_verifier')
      .nullable()
      .unique()
      .comment('hex(SHA-256) of the consent verifier, set by the first accept or reject and kept on repeats');
    t.text('consent_csrf').nullable().comment('Value the consent CSRF cookie must carry');
    t.jsonb('request')
      .notNullable()
      .comment('The validated authorization request (parameters, oidc_context, request_url); read whole');
    t.timestamp('requested_at', { useTz: true })
      .notNullable()
      .comment('First /oauth2/auth of the request: the rat claim and the base of its TTL');
    t.timestamp('expires_at', { useTz: true })
      .notNullable()
      .comment('requested_at + ttl.login_consent_request: challenges and verifiers expire then');
    t.text('subject').notNullable().defaultTo('').comment('Subject, empty until known');
    t.uuid('login_session_id')
      .notNullable()
      .comment('Login session (sid) of the request; no foreign key, the session may be forgotten first');
    t.boolean('login_skip').notNullable().defaultTo(false).comment('The login UI was told to skip');
    t.jsonb('login').nullable().comment('The accepted login (subject, remember, acr, amr, context, …)');
    t.jsonb('login_error').nullable().comment('The rejected login (error, error_description, …)');
    t.timestamp('authenticated_at', { useTz: true })
      .nullable()
      .comment('auth_time: when the subject last authenticated, kept across skipped logins');
    t.boolean('consent_skip').notNullable().defaultTo(false).comment('The consent UI was told to skip');
    t.jsonb('consent')
      .nullable()
      .comment('The accepted consent (grant_scope, grant_access_token_audience, session, remember, …)');
    t.jsonb('consent_error').nullable().comment('The rejected consent (error, error_description, …)');
    t.boolean('consent_remember')
      .notNullable()
      .defaultTo(false)
      .comment('consent.remember of an accepted consent, for the query that decides a consent skip');
    t.timestamp('consent_remember_until', { useTz: true })
      .nullable()
      .comment('requested_at + remember_for; NULL = remembered forever (remember_for 0)');
    t.timestamp('consent_handled_at', { useTz: true })
      .nullable()
      .comment('Last consent accept or reject: handled_at of the consent session');
    t.index(['login_session_id'], 'oauth2_flows_login_session_idx');
  });
  // Partial indexes: remembered consents of (subject, client); the janitor's unfinished requests; the consent
  // sessions of a subject, listed newest first by keyset (requested_at, id).
  await knex.raw(`
    CREATE INDEX oauth2_flows_subject_client_idx ON oauth2_flows (subject, client_id)
      WHERE state = 'consent_used' AND consent_remember;
    CREATE INDEX oauth2_flows_requested_at_idx ON oauth2_flows (requested_at) WHERE state <> 'consent_used';
    CREATE INDEX oauth2_flows_subject_idx ON oauth2_flows (subject, requested_at DESC, id DESC)
      WHERE state = 'consent_used';
    CREATE INDEX oauth2_flows_client_id_idx ON oauth2_flows (client_id);
  `);

  await knex.schema.createTable('oauth2_authentication_sessions', (t) => {
    t.comment('Remembered login sessions (the ory_hydra_session cookie names one by its sid)');
    t.uuid('id').primary().comment('Session id: the cookie value and the sid claim');
    t.text('subject').notNullable().comment('Subject who authenticated');
    t.timestamp('authenticated_at', { useTz: true })
      .notNullable()
      .comment('auth_time: when the subject last authenticated');
    t.boolean('remember').notNullable().comment('The login was accepted with remember');
    t.timestamp('expires_at', { useTz: true })
      .notNullable()
      .comment('After this the session is forgotten (remember_for or ttl.authentication_session)');
    t.text('identity_provider_session_id')
      .nullable()
      .comment("The identity provider's own session id, from the login accept");
    t.timestamp('created_at', { useTz: true })
      .notNullable()
      .defaultTo(knex.fn.now())
      .comment('First login of the session');
    t.index(['subject'], 'oauth2_authentication_sessions_subject_idx');
    t.index(['expires_at'], 'oauth2_authentication_sessions_expires_at_idx');
  });

  await knex.schema.createTable('oauth2_authorization_codes', (t) => {
    t.comment('Authorization codes (ory_ac_); used codes are kept a while for reuse detection');
    t.text('signature')
      .primary()
      .comment('hex(SHA-384(signature part of the code)), as access tokens; never the code');
    t.uuid('request_id')
      .notNullable()
      .references('id')
      .inTable('oauth2_flows')
      .onDelete('CASCADE')
      .comment('Flow the code was issued for');
    t.specificType('client_id', 'text COLLATE "C"')
      .notNullable()
      .references('client_id')
      .inTable('oauth2_clients')
      .onDelete('CASCADE')
      .comment('Client the code was issued to');
    t.timestamp('requested_at', { useTz: true }).notNullable().comment('Issue time');
    t.timestamp('expires_at', { useTz: true }).notNullable().comment('requested_at + ttl.auth_code');
    t.timestamp('used_at', { useTz: true })
      .nullable()
      .comment('When the code was exchanged; a second exchange revokes the grant');
    t.index(['request_id'], 'oauth2_authorization_codes_request_id_idx');
    t.index(['client_id'], 'oauth2_authorization_codes_client_id_idx');
    t.index(['expires_at'], 'oauth2_authorization_codes_expires_at_idx');
  });

  await knex.schema.createTable('oauth2_refresh_tokens', (t) => {
    t.comment('Refresh tokens (ory_rt_); rotated ones are kept inactive a while for reuse detection');
    t.text('signature')
      .primary()
      .comment('hex(SHA-384(signature part of the token)), as access tokens; never the token');
    t.uuid('request_id')
      .notNullable()
      .references('id')
      .inTable('oauth2_flows')
      .onDelete('CASCADE')
      .comment('Flow (grant) the token belongs to; reuse detection revokes by it');
    t.specificType('client_id', 'text COLLATE "C"')
      .notNullable()
      .references('client_id')
      .inTable('oauth2_clients')
      .onDelete('CASCADE')
      .comment('Client the token was issued to');
    t.text('subject').notNullable().comment('Token subject');
    t.specificType('granted_scope', 'text[]').notNullable().comment('Scopes granted, in consent order');
    t.specificType('granted_audience', 'text[]').notNullable().comment('Audiences granted, in consent order');
    t.boolean('active').notNullable().comment('False once rotated or revoked by a rotation of its grant');
    t.timestamp('requested_at', { useTz: true }).notNullable().comment('Issue time');
    t.timestamp('expires_at', { useTz: true })
      .nullable()
      .comment('Expiry; NULL = never (ttl.refresh_token -1); lowered to the keep time once rotated');
    t.timestamp('first_used_at', { useTz: true })
      .nullable()
      .comment('First rotation: the start of the grace period');
    t.integer('used_times')
      .notNullable()
      .defaultTo(0)
      .comment('Rotations of this token, counted for the grace');
    t.text('access_token_signature')
      .notNullable()
      .comment('The access token issued with it: graceful rotation deletes only that one');
    t.jsonb('ext').nullable().comment("The consent's session.access_token, carried to the next access token");
    t.index(['request_id'], 'oauth2_refresh_tokens_request_id_idx');
    t.index(['client_id'], 'oauth2_refresh_tokens_client_id_idx');
    t.index(['expires_at'], 'oauth2_refresh_tokens_expires_at_idx');
  });
  await knex.raw(
    'CREATE INDEX oauth2_refresh_tokens_active_idx ON oauth2_refresh_tokens (request_id) WHERE active',
  );

  await knex.schema.alterTable('oauth2_access_tokens', (t) => {
    t.jsonb('ext')
      .nullable()
      .comment("The consent's session.access_token (introspection ext); NULL for client_credentials");
  });
}

/** @param {import('knex').Knex} knex */
export async function down(knex) {
  await knex.schema.alterTable('oauth2_access_tokens', (t) => {
    t.dropColumn('ext');
  });
  await knex.schema.dropTable('oauth2_refresh_tokens');
  await knex.schema.dropTable('oauth2_authorization_codes');
  await knex.schema.dropTable('oauth2_authentication_sessions');
  await knex.schema.dropTable('oauth2_flows');
}
