// Admin API: logout requests (Hydra's consent/handler.go). The challenge is read from `logout_challenge`, or
// from `challenge` when that is absent, as Hydra's cmp.Or does.
import type { Logout } from '../../flows/logout.js';
import type { Handlers, Reply } from '../operations.js';

export function logoutAdminHandlers(logout: Logout) {
  return {
    async getOAuth2LogoutRequest({ query }) {
      return (await logout.getRequest(
        query.logout_challenge || query.challenge,
      )) as Reply<'getOAuth2LogoutRequest'>;
    },

    async acceptOAuth2LogoutRequest({ query }) {
      return logout.accept(query.logout_challenge || query.challenge);
    },

    async rejectOAuth2LogoutRequest({ query }) {
      const answer = await logout.reject(query.logout_challenge || query.challenge);
      return answer.status === 204 ? { status: 204, body: undefined } : answer;
    },
  } satisfies Handlers;
}
