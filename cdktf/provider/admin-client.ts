// The admin API operations the provider's resources use, over the SDK's admin client: bearer token and extra
// headers on every request, retries when the server cannot be reached at all (a server restarting during
// `terraform apply`), a per-request limit, and cancellation when Terraform stops the provider. Failures are the
// SDK's OAuth2ApiError (an answer) or NetworkError (none).

import { createAdminClient, type AdminClient as SdkAdminClient } from '../../sdk/client.js';
import type { OAuth2ClientWire } from '../../sdk/client-fields.js';
import { OAuth2ApiError, type RequestPolicy } from '../../sdk/errors.js';
import type { components } from '../../sdk/generated/openapi.js';

export type { OAuth2ClientWire };
export type JsonWebKeySetWire = components['schemas']['jsonWebKeySet'];
export type CreateJsonWebKeySetWire = components['schemas']['createJsonWebKeySet'];
export type TrustIssuerWire = components['schemas']['trustOAuth2JwtGrantIssuer'];
export type TrustedIssuerWire = components['schemas']['trustedOAuth2JwtGrantIssuer'];

/** The SDK's request policy (retries, cancellation, time limit) plus where and as whom to connect. */
export interface AdminClientOptions extends RequestPolicy {
  endpoint: string;
  token?: string;
  headers?: Record<string, string>;
}

/** Reading or deleting something that is gone is not an error for a resource: Terraform plans to recreate it. */
const undefinedOn404 = <T>(call: Promise<{ data?: T }>): Promise<T | undefined> =>
  call.then(
    (r) => r.data,
    (err: unknown) => {
      if (err instanceof OAuth2ApiError && err.status === 404) return undefined;
      throw err;
    },
  );

export class AdminClient {
  private readonly api: SdkAdminClient;

  // A server that accepts but never answers must not hang terraform: one minute per request unless told.
  constructor({ endpoint, headers, timeoutMs = 60_000, ...policy }: AdminClientOptions) {
    this.api = createAdminClient({
      ...policy,
      baseUrl: endpoint.replace(/\/+$/, ''),
      headers: { accept: 'application/json', ...headers },
      timeoutMs,
    });
  }

  getClient = (id: string) =>
    undefinedOn404<OAuth2ClientWire>(this.api.GET('/admin/clients/{id}', { params: { path: { id } } }));
  createClient = async (body: OAuth2ClientWire) => (await this.api.POST('/admin/clients', { body })).data;
  setClient = async (id: string, body: OAuth2ClientWire) =>
    (await this.api.PUT('/admin/clients/{id}', { params: { path: { id } }, body })).data;
  deleteClient = (id: string) =>
    undefinedOn404(this.api.DELETE('/admin/clients/{id}', { params: { path: { id } } }));

  getKeySet = (set: string) =>
    undefinedOn404<JsonWebKeySetWire>(this.api.GET('/admin/keys/{set}', { params: { path: { set } } }));
  createKeySet = async (set: string, body: CreateJsonWebKeySetWire) =>
    (await this.api.POST('/admin/keys/{set}', { params: { path: { set } }, body })).data;
  setKeySet = async (set: string, body: JsonWebKeySetWire) =>
    (await this.api.PUT('/admin/keys/{set}', { params: { path: { set } }, body })).data;
  deleteKeySet = (set: string) =>
    undefinedOn404(this.api.DELETE('/admin/keys/{set}', { params: { path: { set } } }));
  getKey = (set: string, kid: string) =>
    undefinedOn404<JsonWebKeySetWire>(
      this.api.GET('/admin/keys/{set}/{kid}', { params: { path: { set, kid } } }),
    );

  getTrustedIssuer = (id: string) =>
    undefinedOn404<TrustedIssuerWire>(
      this.api.GET('/admin/trust/grants/jwt-bearer/issuers/{id}', { params: { path: { id } } }),
    );
  trustIssuer = async (body: TrustIssuerWire) =>
    (await this.api.POST('/admin/trust/grants/jwt-bearer/issuers', { body })).data;
  deleteTrustedIssuer = (id: string) =>
    undefinedOn404(
      this.api.DELETE('/admin/trust/grants/jwt-bearer/issuers/{id}', { params: { path: { id } } }),
    );
}
