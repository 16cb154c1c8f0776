// Admin API: trust relationships of the RFC 7523 jwt-bearer grant (Hydra's oauth2/trust/handler.go).
import type { Audit } from '../../observability/audit.js';
import type { TrustService } from '../../trust/trust-service.js';
import type { Handlers, QueryParams } from '../operations.js';

const PATH = '/trust/grants/jwt-bearer/issuers';

/** Hydra's keyset `Link`, as the clients list sends it. */
function linkHeader(
  query: QueryParams<'listTrustedOAuth2JwtGrantIssuers'>,
  pageSize: number,
  next: string | undefined,
): string {
  const url = (token?: string) => {
    const params = new URLSearchParams();
    if (query.issuer !== undefined) params.set('issuer', query.issuer);
    params.set('page_size', String(pageSize));
    if (token) params.set('page_token', token);
    return `</admin${PATH}?${params}>`;
  };
  const links = [`${url()}; rel="first"`];
  if (next) links.push(`${url(next)}; rel="next"`);
  return links.join(',');
}

export function trustHandlers(trust: TrustService, audit: Audit) {
  return {
    async trustOAuth2JwtGrantIssuer({ body }) {
      const created = await trust.create(body);
      audit('trust.created', { id: created.id, issuer: created.issuer, kid: created.public_key?.kid });
      // Hydra's Location has no /admin prefix (urlx.MustJoin of the route path).
      return {
        status: 201,
        body: created,
        headers: { Location: `${PATH}/${encodeURIComponent(created.id ?? '')}` },
      };
    },

    async listTrustedOAuth2JwtGrantIssuers({ query }) {
      const page = await trust.list(query);
      return {
        status: 200,
        body: page.items,
        headers: { Link: linkHeader(query, page.pageSize, page.nextPageToken) },
      };
    },

    async getTrustedOAuth2JwtGrantIssuer({ params }) {
      return { status: 200, body: await trust.get(params.id) };
    },

    async deleteTrustedOAuth2JwtGrantIssuer({ params }) {
      await trust.delete(params.id);
      audit('trust.deleted', { id: params.id });
      return { status: 204, body: undefined };
    },
  } satisfies Handlers;
}
