// A consented flow (the state a token's grant is in), for unit tests of what is built from it: ID tokens, userinfo.
import type { FlowRecord } from '../../server/flows/types.js';

/** When the fixture's consent was handled; tests use it as their clock. */
export const NOW = new Date('2026-12-06T01:00:00.000Z');

export function sampleFlow(overrides: Partial<FlowRecord> = {}): FlowRecord {
  const requested = new Date('2026-12-06T00:58:00.500Z');
  return {
    id: '6f1c2b9e-0d4a-4c53-9a51-1a2b3c4d5e6f',
    client_id: 'app',
    state: 'consent_used',
    request: {
      client_id: 'app',
      response_types: ['code'],
      response_mode: 'query',
      redirect_uri: 'https://app.example/cb',
      redirect_uri_sent: true,
      state: 'state-123456',
      nonce: 'nonce-123456',
      requested_scope: ['openid', 'email'],
      requested_audience: [],
      prompt: [],
      oidc_context: { acr_values: [], ui_locales: [] },
      request_url: 'http://127.0.0.1:4444/oauth2/auth?client_id=app',
    },
    requested_at: requested,
    expires_at: new Date(requested.getTime() + 30 * 60_000),
    login_challenge: 'lc',
    login_csrf: 'csrf',
    login_skip: false,
    subject: 'foo@bar.com',
    login_session_id: '0b7d1a1e-5f0c-4b57-8f6e-2f9c9d3a4b5c',
    login: {
      subject: 'foo@bar.com',
      remember: true,
      remember_for: 0,
      acr: 'urn:acr:pwd',
      amr: ['pwd'],
      context: {},
      extend_session_lifespan: false,
      force_subject_identifier: '',
      identity_provider_session_id: '',
    },
    login_error: null,
    authenticated_at: new Date('2026-12-06T00:59:10.900Z'),
    consent_challenge: 'cc',
    consent_csrf: 'csrf2',
    consent_skip: false,
    consent: {
      grant_scope: ['openid', 'email'],
      grant_access_token_audience: [],
      remember: false,
      remember_for: 0,
      session: {
        access_token: {},
        id_token: {
          email: 'foo@bar.com',
          email_verified: true,
          // Reserved names: the server's values win, or the claim is left out.
          sub: 'mallory',
          iss: 'https://evil.example',
          aud: ['other'],
          exp: 9_999_999_999,
          iat: 1,
          rat: 1,
          auth_time: 1,
          nonce: 'forged',
          at_hash: 'x',
          c_hash: 'y',
          acr: 'forged',
          amr: ['forged'],
          jti: 'forged',
          sid: 'forged',
        },
      },
      context: {},
    },
    consent_error: null,
    consent_handled_at: NOW,
    ...overrides,
  };
}
