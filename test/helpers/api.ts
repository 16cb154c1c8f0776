// HTTP calls by operationId, with every response checked against openapi.yaml: a response the contract does
// not describe fails the test that caused it, so the spec cannot drift from the server.
import { expect } from 'chai';
import { loadContract } from '../../server/http/contract.js';
import type { TestServer } from './server.js';

const contract = loadContract();

export interface CallOptions {
  params?: Record<string, string>;
  query?: Record<string, string>;
  json?: unknown;
  form?: Record<string, string | string[]> | string;
  /** A raw body, sent with the given headers as is. */
  body?: string;
  headers?: Record<string, string>;
  basic?: [string, string];
  /** Which port answers: by default admin for /admin/* and health, public otherwise. */
  port?: 'public' | 'admin';
  /** Call the admin path without its /admin prefix (Hydra's alias). */
  unprefixed?: boolean;
  /** `manual` to see a redirect itself (the browser flow's endpoints); followed by default. */
  redirect?: RequestInit['redirect'];
}

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  text: string;
  body: T;
}

export function formBody(form: Record<string, string | string[]>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(form)) {
    for (const v of Array.isArray(value) ? value : [value]) params.append(key, v);
  }
  return params.toString();
}

export async function call<T = any>(
  server: TestServer,
  operationId: string,
  options: CallOptions = {},
): Promise<ApiResponse<T>> {
  const operation = contract.operations.get(operationId);
  if (!operation) throw new Error(`no operation ${operationId} in openapi.yaml`);
  let path = operation.path.replace(/\{([^}]+)\}/g, (_, name: string) =>
    encodeURIComponent(options.params?.[name] ?? ''),
  );
  if (options.unprefixed) path = path.replace(/^\/admin/, '');
  const port =
    options.port ??
    (operation.path.startsWith('/admin') || operation.path.startsWith('/health') ? 'admin' : 'public');
  const base = port === 'admin' ? server.adminUrl : server.publicUrl;
  const url = new URL(path, base);
  for (const [k, v] of Object.entries(options.query ?? {})) url.searchParams.append(k, v);
  const headers: Record<string, string> = { ...options.headers };
  let body: string | undefined = options.body;
  if (options.json !== undefined) {
    headers['content-type'] ??= 'application/json';
    body = JSON.stringify(options.json);
  } else if (options.form !== undefined) {
    headers['content-type'] ??= 'application/x-www-form-urlencoded';
    body = typeof options.form === 'string' ? options.form : formBody(options.form);
  }
  // A server started with an admin token gets it on every admin call that does not set its own header.
  if (port === 'admin' && server.adminToken && headers.authorization === undefined) {
    headers.authorization = `Bearer ${server.adminToken}`;
  }
  if (options.basic) {
    headers.authorization = `Basic ${Buffer.from(`${options.basic[0]}:${options.basic[1]}`).toString('base64')}`;
  }
  const response = await fetch(url, {
    method: operation.method.toUpperCase(),
    headers,
    body,
    redirect: options.redirect,
  });
  const text = await response.text();
  const contentType = response.headers.get('content-type') ?? undefined;
  let parsed: unknown = text === '' ? undefined : text;
  if (contentType?.includes('json') && text !== '') parsed = JSON.parse(text);
  const problem = contract.checkResponse(operationId, response.status, contentType, parsed);
  expect(problem, `${operationId} ${response.status} ${text.slice(0, 300)} violates openapi.yaml`).to.equal(
    null,
  );
  return { status: response.status, headers: response.headers, text, body: parsed as T };
}

/** A request outside the contract (unknown routes, wrong methods); its response is not contract-checked. */
export async function raw(base: string, path: string, init: RequestInit = {}): Promise<ApiResponse> {
  const response = await fetch(new URL(path, base), init);
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: response.status, headers: response.headers, text, body };
}

/**
 * The operation a request addresses, by method and path (admin paths also without their `/admin` prefix), for
 * checking responses of clients that are not ours, such as Ory's SDK.
 */
export function operationFor(method: string, pathname: string): string | undefined {
  for (const operation of contract.operations.values()) {
    if (operation.method !== method.toLowerCase()) continue;
    const pattern = operation.path
      .split(/\{[^}]+\}/)
      .map((part) => part.replace(/[.*+?^$()|[\]\\]/g, '\\$&'))
      .join('[^/]+');
    const admin = operation.path.startsWith('/admin/');
    if (new RegExp(`^${admin ? `(/admin)?${pattern.slice('/admin'.length)}` : pattern}/?$`).test(pathname)) {
      return operation.operationId;
    }
  }
  return undefined;
}

/** Checks a response of any HTTP client against the contract; the problem, or null when it conforms. */
export function contractProblem(
  method: string,
  url: string,
  status: number,
  contentType: string | undefined,
  body: unknown,
): string | null {
  const operationId = operationFor(method, new URL(url).pathname);
  if (!operationId) return `${method} ${url} is not an operation of openapi.yaml`;
  return contract.checkResponse(operationId, status, contentType, body === '' ? undefined : body);
}
