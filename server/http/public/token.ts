// Public API: the token endpoint (RFC 6749 §3.2) and revocation (RFC 7009).
import type { OAuth2Endpoints } from '../endpoints.js';
import { type Handlers, OAUTH2_JSON_HEADERS } from '../operations.js';

export function tokenHandlers(oauth2: OAuth2Endpoints) {
  return {
    async oauth2TokenExchange({ body, authorization, source, log }) {
      const token = await oauth2.token({ authorization, form: body ?? {}, source: source(), log });
      return { status: 200, body: token, headers: OAUTH2_JSON_HEADERS };
    },

    async revokeOAuth2Token({ body, authorization, source, log }) {
      await oauth2.revoke({ authorization, form: body ?? {}, source: source(), log });
      return { status: 200, body: undefined };
    },
  } satisfies Handlers;
}
