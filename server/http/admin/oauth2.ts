// Admin API: token introspection (RFC 7662) and Hydra's bulk token deletion, which is audited here.
import type { Audit } from '../../observability/audit.js';
import type { OAuth2Endpoints } from '../endpoints.js';
import { type Handlers, OAUTH2_JSON_HEADERS } from '../operations.js';

export function oauth2AdminHandlers(oauth2: OAuth2Endpoints, audit: Audit) {
  return {
    async introspectOAuth2Token({ body }) {
      return { status: 200, body: await oauth2.introspect(body), headers: OAUTH2_JSON_HEADERS };
    },

    async deleteOAuth2Token({ query }) {
      // 204 also for an unknown client, as Hydra.
      await oauth2.deleteClientTokens(query.client_id);
      audit('tokens.deleted', { client_id: query.client_id });
      return { status: 204, body: undefined };
    },
  } satisfies Handlers;
}
