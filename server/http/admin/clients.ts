// Admin API: OAuth 2.0 clients (Hydra's client/handler.go, admin routes). Each write is audited here, once it
// succeeded: the handler knows the operation, so no decorator of the registry has to forward the reads.
import type { Audit } from '../../observability/audit.js';
import type { ClientEndpoints } from '../endpoints.js';
import type { Handlers, QueryParams } from '../operations.js';

/** Hydra v25 keyset pagination: `Link` always has rel="first", and rel="next" while more rows exist. */
function linkHeader(
  query: QueryParams<'listOAuth2Clients'>,
  pageSize: number,
  next: string | undefined,
): string {
  const url = (token?: string) => {
    const params = new URLSearchParams();
    if (query.client_name !== undefined) params.set('client_name', query.client_name);
    if (query.owner !== undefined) params.set('owner', query.owner);
    params.set('page_size', String(pageSize));
    if (token) params.set('page_token', token);
    return `</admin/clients?${params}>`;
  };
  const links = [`${url()}; rel="first"`];
  if (next) links.push(`${url(next)}; rel="next"`);
  return links.join(',');
}

export function clientHandlers(clients: ClientEndpoints, audit: Audit) {
  // A response that carries a secret means the secret was set or changed.
  const auditUpdate = (id: string, client: { client_secret?: string }, fields: Record<string, unknown>) => {
    audit('client.updated', { client_id: id, ...fields });
    if (client.client_secret !== undefined) audit('client.secret_changed', { client_id: id });
  };
  return {
    async createOAuth2Client({ body }) {
      const client = await clients.create(body);
      audit('client.created', {
        client_id: client.client_id,
        secret_set: client.client_secret !== undefined,
      });
      return {
        status: 201,
        body: client,
        headers: { Location: `/admin/clients/${encodeURIComponent(client.client_id ?? '')}` },
      };
    },

    async listOAuth2Clients({ query }) {
      const page = await clients.list(query);
      return {
        status: 200,
        body: page.clients,
        headers: { Link: linkHeader(query, page.pageSize, page.nextPageToken) },
      };
    },

    async getOAuth2Client({ params }) {
      return { status: 200, body: await clients.get(params.id) };
    },

    async setOAuth2Client({ params, body }) {
      const client = await clients.set(params.id, body);
      auditUpdate(params.id, client, { method: 'PUT' });
      return { status: 200, body: client };
    },

    async patchOAuth2Client({ params, body }) {
      const client = await clients.patch(params.id, body);
      auditUpdate(params.id, client, { method: 'PATCH', paths: body.map((o) => o.path) });
      return { status: 200, body: client };
    },

    async deleteOAuth2Client({ params }) {
      await clients.delete(params.id);
      audit('client.deleted', { client_id: params.id });
      return { status: 204, body: undefined };
    },

    async setOAuth2ClientLifespans({ params, body }) {
      const client = await clients.setLifespans(params.id, body ?? {});
      audit('client.updated', { client_id: params.id, method: 'PUT', what: 'lifespans' });
      return { status: 200, body: client };
    },
  } satisfies Handlers;
}
