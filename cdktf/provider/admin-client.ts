// The admin API operations the provider's resources use, over the SDK's admin client: bearer token and extra
// headers on every request, retries when the server cannot be reached at all (a server restarting during
// `terraform apply`), a per-request limit, and cancellation when Terraform stops the provider. Failures are the
// SDK's OAuth2ApiError (an answer) or NetworkError (none).

import type { OAuth2ClientWire } from '../../sdk/client-fields.js';
import type { components } from '../../sdk/generated/openapi.js';
import { createAdminClient, OAuth2ApiError, type AdminClient as SdkAdminClient } from '../../sdk/index.js';

export type { OAuth2ClientWire };
export type JsonWebKeySetWire = components['schemas']['jsonWebKeySet'];
export type CreateJsonWebKeySetWire = components['schemas']['createJsonWebKeySet'];

export interface AdminClientOptions {
  endpoint: string;
  token?: string;
  headers?: Record<string, string>;
  /** Extra attempts after a connection error. */
  retries: number;
  signal: AbortSignal;
  /** First retry delay; doubles each time. */
  retryDelayMs?: number;
  /** Per-request limit, so a server that accepts but never answers cannot hang terraform. */
  timeoutMs?: number;
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

  constructor(options: AdminClientOptions) {
    this.api = createAdminClient({
      baseUrl: options.endpoint.replace(/\/+$/, ''),
      ...(options.token ? { token: options.token } : {}),
      headers: { accept: 'application/json', ...options.headers },
      retries: options.retries,
      retryDelayMs: options.retryDelayMs ?? 250,
      signal: options.signal,
      timeoutMs: options.timeoutMs ?? 60_000,
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
}
