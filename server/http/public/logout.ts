// Public API: OpenID Connect logout at /oauth2/sessions/logout (GET, and POST with a form, as RP-Initiated
// Logout 1.0 §2 allows) and the default post-logout page. The domain (server/flows/logout.ts) answers with a
// redirect or the front-channel page; this file only turns it into HTTP.

import { signedOutPage } from '../../dev-ui/logout-page.js';
import { PAGE_HEADERS } from '../../dev-ui/render.js';
import { encodeGoValues } from '../../flows/authorize-response.js';
import type { Logout } from '../../flows/logout.js';
import { endpointUrl } from '../../urls.js';
import type { Handlers, Reply } from '../operations.js';
import { authorizeHttpReply } from './authorize.js';

/** Go's r.Form: the body's values first, then the query's; the first value of each name. */
function formValues(sources: (Record<string, unknown> | undefined)[]): Record<string, string> {
  const merged: Record<string, string> = {};
  for (const source of sources) {
    for (const [key, value] of Object.entries(source ?? {})) {
      const first = Array.isArray(value) ? value[0] : value;
      if (typeof first === 'string' && !(key in merged)) merged[key] = first;
    }
  }
  return merged;
}

export function logoutHandlers(logout: Logout, publicUrl: string) {
  const endpoint = endpointUrl(publicUrl, 'oauth2/sessions/logout');
  const requestUrl = (params: Record<string, string>) => {
    const query = encodeGoValues(new Map(Object.entries(params).map(([k, v]) => [k, [v]])));
    return query ? `${endpoint}?${query}` : endpoint;
  };
  const run = async (params: Record<string, string>, cookies: Readonly<Record<string, string>>) =>
    authorizeHttpReply(
      await logout.handle({ params, cookies: { ...cookies }, requestUrl: requestUrl(params) }),
    );

  return {
    async revokeOidcSession({ query, cookies }) {
      return (await run(formValues([query]), cookies)) as Reply<'revokeOidcSession'>;
    },

    async revokeOidcSessionWithForm({ query, body, cookies }) {
      return (await run(formValues([body, query]), cookies)) as Reply<'revokeOidcSessionWithForm'>;
    },

    async getOAuth2FallbackLogoutCallback() {
      return { status: 200, headers: { ...PAGE_HEADERS }, body: signedOutPage() };
    },
  } satisfies Handlers;
}
