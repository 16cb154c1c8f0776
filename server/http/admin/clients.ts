// Admin API: OAuth 2.0 clients (Hydra's client/handler.go, admin routes).
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

export function clientHandlers(clients: ClientEndpoints) {
  return {
    async createOAuth2Client({ body }) {
      const client = await clients.create(body);
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
      return { status: 200, body: await clients.set(params.id, body) };
    },

    async patchOAuth2Client({ params, body }) {
      return { status: 200, body: await clients.patch(params.id, body) };
    },

    async deleteOAuth2Client({ params }) {
      await clients.delete(params.id);
      return { status: 204, body: undefined };
    },

    async setOAuth2ClientLifespans({ params, body }) {
      return { status: 200, body: await clients.setLifespans(params.id, body ?? {}) };
    },
  } satisfies Handlers;
}
