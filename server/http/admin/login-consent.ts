// Admin API: login and consent requests, consent sessions and login sessions (Hydra's consent/handler.go). The
// challenge is read from `login_challenge` / `consent_challenge`, or from `challenge` when that is absent, as
// Hydra's cmp.Or does.
import type { LoginConsentAdmin } from '../../flows/admin-requests.js';
import type { SessionAdmin } from '../../flows/sessions.js';
import type { Handlers, QueryParams, Reply } from '../operations.js';

/** Hydra v25 keyset pagination: `Link` always has rel="first", and rel="next" while more rows exist. */
function linkHeader(
  query: QueryParams<'listOAuth2ConsentSessions'>,
  pageSize: number,
  next?: string,
): string {
  const url = (token?: string) => {
    const params = new URLSearchParams();
    params.set('subject', query.subject);
    if (query.login_session_id) params.set('login_session_id', query.login_session_id);
    params.set('page_size', String(pageSize));
    if (token) params.set('page_token', token);
    return `</admin/oauth2/auth/sessions/consent?${params}>`;
  };
  const links = [`${url()}; rel="first"`];
  if (next) links.push(`${url(next)}; rel="next"`);
  return links.join(',');
}

export function loginConsentHandlers(admin: LoginConsentAdmin, sessions: SessionAdmin) {
  return {
    async getOAuth2LoginRequest({ query }) {
      return (await admin.getLogin(
        query.login_challenge || query.challenge,
      )) as Reply<'getOAuth2LoginRequest'>;
    },

    async acceptOAuth2LoginRequest({ query, body }) {
      return admin.acceptLogin(query.login_challenge || query.challenge, body);
    },

    async rejectOAuth2LoginRequest({ query, body }) {
      return admin.rejectLogin(query.login_challenge || query.challenge, body);
    },

    async getOAuth2ConsentRequest({ query }) {
      return (await admin.getConsent(
        query.consent_challenge || query.challenge,
      )) as Reply<'getOAuth2ConsentRequest'>;
    },

    async acceptOAuth2ConsentRequest({ query, body }) {
      return admin.acceptConsent(query.consent_challenge || query.challenge, body);
    },

    async rejectOAuth2ConsentRequest({ query, body }) {
      return admin.rejectConsent(query.consent_challenge || query.challenge, body);
    },

    async listOAuth2ConsentSessions({ query }) {
      const page = await sessions.listConsentSessions(query);
      return {
        status: 200,
        body: page.sessions as Reply<'listOAuth2ConsentSessions'>['body'] & object,
        headers: { Link: linkHeader(query, page.pageSize, page.nextPageToken) },
      } as Reply<'listOAuth2ConsentSessions'>;
    },

    async revokeOAuth2ConsentSessions({ query }) {
      await sessions.revokeConsentSessions(query);
      return { status: 204, body: undefined };
    },

    async revokeOAuth2LoginSessions({ query }) {
      await sessions.revokeLoginSessions(query);
      return { status: 204, body: undefined };
    },
  } satisfies Handlers;
}
