// The provider's HTTP client for Tollgate's (and Hydra's) admin API: plain fetch, bearer token and extra
// headers on every request, and retries when the server cannot be reached at all (connection refused or
// reset, DNS), which is what a server restarting during `terraform apply` looks like. HTTP errors are
// answers and are never retried.
import type { components } from '../../sdk/generated/openapi.js';

export type OAuth2Client = components['schemas']['oAuth2Client'];
export type JsonWebKeySet = components['schemas']['jsonWebKeySet'];
export type CreateJsonWebKeySet = components['schemas']['createJsonWebKeySet'];

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

/** A non-2xx answer, with Hydra's error body (`error`, `error_description`) when there is one. */
export class AdminApiError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
    method: string,
    url: string,
  ) {
    super(
      `${method} ${url}: HTTP ${status}${error ? ` ${error}` : ''}${description ? `: ${description}` : ''}`,
    );
  }
}

const CONNECTION_ERRORS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

function isConnectionError(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && CONNECTION_ERRORS.has(code)) return true;
  }
  return false;
}

export class AdminClient {
  private readonly base: string;

  constructor(private readonly options: AdminClientOptions) {
    this.base = options.endpoint.replace(/\/+$/, '');
  }

  /** Sends a request; resolves with the parsed body, or undefined for 404 when `allow404`. */
  async request<T>(method: string, path: string, body?: unknown, allow404 = false): Promise<T | undefined> {
    const url = `${this.base}${path}`;
    const headers: Record<string, string> = { accept: 'application/json', ...this.options.headers };
    if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let delay = this.options.retryDelayMs ?? 250;
    for (let attempt = 0; ; attempt++) {
      let res: Response;
      try {
        res = await fetch(url, {
          method,
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.any([
            this.options.signal,
            AbortSignal.timeout(this.options.timeoutMs ?? 60_000),
          ]),
        });
      } catch (err) {
        if (attempt < this.options.retries && isConnectionError(err) && !this.options.signal.aborted) {
          await new Promise((r) => setTimeout(r, delay));
          delay *= 2;
          continue;
        }
        const reason = (err as { cause?: { message?: string } }).cause?.message ?? (err as Error).message;
        throw new Error(`${method} ${url}: ${reason}`);
      }
      const text = await res.text();
      if (res.status === 404 && allow404) return undefined;
      if (!res.ok) {
        let parsed: { error?: string; error_description?: string } = {};
        try {
          parsed = JSON.parse(text);
        } catch {}
        throw new AdminApiError(
          res.status,
          parsed.error ?? '',
          parsed.error_description ?? text.slice(0, 200),
          method,
          url,
        );
      }
      return (text === '' ? undefined : JSON.parse(text)) as T;
    }
  }

  getClient = (id: string) =>
    this.request<OAuth2Client>('GET', `/admin/clients/${encodeURIComponent(id)}`, undefined, true);
  createClient = (body: OAuth2Client) =>
    this.request<OAuth2Client>('POST', '/admin/clients', body) as Promise<OAuth2Client>;
  setClient = (id: string, body: OAuth2Client) =>
    this.request<OAuth2Client>(
      'PUT',
      `/admin/clients/${encodeURIComponent(id)}`,
      body,
    ) as Promise<OAuth2Client>;
  deleteClient = (id: string) =>
    this.request<void>('DELETE', `/admin/clients/${encodeURIComponent(id)}`, undefined, true);

  getKeySet = (set: string) =>
    this.request<JsonWebKeySet>('GET', `/admin/keys/${encodeURIComponent(set)}`, undefined, true);
  createKeySet = (set: string, body: CreateJsonWebKeySet) =>
    this.request<JsonWebKeySet>(
      'POST',
      `/admin/keys/${encodeURIComponent(set)}`,
      body,
    ) as Promise<JsonWebKeySet>;
  deleteKeySet = (set: string) =>
    this.request<void>('DELETE', `/admin/keys/${encodeURIComponent(set)}`, undefined, true);
}
