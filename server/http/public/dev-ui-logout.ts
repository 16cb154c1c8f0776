// The built-in logout page of `serve --dev` (on Hydra's fallback path when urls.logout is unset): Ory's reference
// app's logout route. Like the login and consent pages it reaches the logout request only through the admin
// API: Yes accepts it and follows redirect_to, No rejects it and says the user is still signed in.
import { type AdminClient, createAdminClient } from '../../../sdk/client.js';
import { NetworkError, OAuth2ApiError } from '../../../sdk/errors.js';
import { checkCsrf, csrfToken } from '../../dev-ui/csrf.js';
import { logoutPage, stillSignedInPage } from '../../dev-ui/logout-page.js';
import { messagePage } from '../../dev-ui/pages.js';
import { TemporarilyUnavailable } from '../../oauth2/errors.js';
import type { Handlers } from '../operations.js';
import type { DevUiDeps } from './dev-ui.js';
import { type Page, type SeeOther, see, show, text } from './dev-ui-responses.js';

const LOGOUT = '/admin/oauth2/auth/requests/logout';

/** The redirect_to of a 410 (the request was used or expired), else undefined. */
function goneRedirect(err: unknown): string | undefined {
  if (!(err instanceof OAuth2ApiError) || err.status !== 410) return undefined;
  const to = (err.body as { redirect_to?: unknown } | undefined)?.redirect_to;
  return typeof to === 'string' ? to : undefined;
}

export function devUiLogoutHandlers(deps: Pick<DevUiDeps, 'adminUrl' | 'adminToken' | 'csrfKey'>) {
  let api: { url: string; client: AdminClient } | undefined;
  const admin = (): AdminClient => {
    const url = deps.adminUrl();
    if (api?.url !== url) api = { url, client: createAdminClient({ baseUrl: url, token: deps.adminToken }) };
    return api.client;
  };
  const query = (challenge: string) => ({ params: { query: { logout_challenge: challenge } } });

  const unknown = () =>
    show(
      400,
      messagePage({
        title: 'Unknown logout request',
        message: 'This logout request does not exist, or was answered already. Go back to the application.',
      }),
    );

  /** As the login and consent pages: a bad link is a 400 page, an unreachable admin API the 503 page. */
  async function withChallenge(
    challenge: string,
    run: () => Promise<Page | SeeOther>,
  ): Promise<Page | SeeOther> {
    if (!challenge) return unknown();
    try {
      return await run();
    } catch (err) {
      const restart = goneRedirect(err);
      if (restart !== undefined) return see(restart);
      if (err instanceof OAuth2ApiError && [400, 404, 414, 431].includes(err.status)) return unknown();
      if (err instanceof NetworkError || (err instanceof OAuth2ApiError && err.status === 503)) {
        throw new TemporarilyUnavailable('The logout page could not reach the admin API.');
      }
      throw err;
    }
  }

  return {
    async getDevLogout({ query: q }) {
      const challenge = q.logout_challenge ?? '';
      return withChallenge(challenge, async () => {
        const request = (await admin().GET(LOGOUT, query(challenge))).data;
        const client = request.client;
        return show(
          200,
          logoutPage({
            challenge,
            csrf: csrfToken(deps.csrfKey, 'logout', challenge),
            subject: request.subject,
            ...(client ? { clientName: client.client_name || client.client_id || '' } : {}),
          }),
        );
      });
    },

    async submitDevLogout({ body = {} }) {
      const challenge = text(body.challenge);
      if (!checkCsrf(deps.csrfKey, 'logout', challenge, body._csrf)) {
        return show(
          400,
          messagePage({
            title: 'Form not accepted',
            message: 'This form was not issued for this request. Go back to the application.',
          }),
        );
      }
      return withChallenge(challenge, async () => {
        if (text(body.action) === 'deny') {
          await admin().PUT(`${LOGOUT}/reject`, query(challenge));
          return show(200, stillSignedInPage());
        }
        return see((await admin().PUT(`${LOGOUT}/accept`, query(challenge))).data.redirect_to);
      });
    },
  } satisfies Handlers;
}
