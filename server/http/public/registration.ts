// Public API: OpenID Connect Dynamic Client Registration (RFC 7591) and management (RFC 7592), Hydra's
// /oauth2/register routes. Writes are audited here, once they succeeded, as the admin client handlers do.
import type { Registration } from '../../clients/registration.js';
import type { Audit } from '../../observability/audit.js';
import type { Handlers } from '../operations.js';

export function registrationHandlers(registration: Registration, audit: Audit) {
  return {
    async createOidcDynamicClient({ body, source }) {
      const client = await registration.register(body, source);
      const id = client.client_id ?? '';
      audit('client.created', { client_id: id, dynamic: true, address: source });
      // Hydra joins "admin" and the client path: the Location has no leading slash.
      return { status: 201, body: client, headers: { Location: `admin/clients/${encodeURIComponent(id)}` } };
    },

    async getOidcDynamicClient({ params, authorization, source }) {
      return { status: 200, body: await registration.get({ id: params.id, authorization, source }) };
    },

    async setOidcDynamicClient({ params, authorization, source, body }) {
      const client = await registration.set({ id: params.id, authorization, source }, body);
      audit('client.updated', { client_id: params.id, method: 'PUT', dynamic: true });
      return { status: 200, body: client };
    },

    async deleteOidcDynamicClient({ params, authorization, source }) {
      await registration.delete({ id: params.id, authorization, source });
      audit('client.deleted', { client_id: params.id, dynamic: true });
      return { status: 204, body: undefined };
    },
  } satisfies Handlers;
}
