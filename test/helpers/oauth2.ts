// Small helpers for the OAuth 2.0 end-to-end tests: clients, tokens and introspection over real HTTP, every
// response checked against openapi.yaml (through `call`).
import { expect } from 'chai';
import { type ApiResponse, call } from './api.js';
import type { TestServer } from './server.js';

export interface CreatedClient {
  client_id: string;
  client_secret?: string;
  [key: string]: unknown;
}

/** POST /admin/clients; expects 201. */
export async function createClient(
  server: TestServer,
  body: Record<string, unknown>,
): Promise<CreatedClient> {
  const res = await call<CreatedClient>(server, 'createOAuth2Client', { json: body });
  expect(res.status, res.text).to.equal(201);
  return res.body;
}

/** A confidential client_credentials client with the given extra fields. */
export function ccClient(server: TestServer, extra: Record<string, unknown> = {}): Promise<CreatedClient> {
  return createClient(server, {
    grant_types: ['client_credentials'],
    client_secret: 'a-client-secret-0123456789',
    ...extra,
  });
}

/** `Authorization: Basic` with both parts form-urlencoded first (RFC 6749 §2.3.1). */
export function basicHeader(id: string, secret: string): string {
  const enc = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${enc(id)}:${enc(secret)}`).toString('base64')}`;
}

/** `Authorization: Basic` with the parts put in as they are (no form-encoding). */
export function rawBasicHeader(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
}

/** POST /oauth2/token with `client_secret_basic` (encoded properly) and the given form. */
export function tokenRequest(
  server: TestServer,
  form: Record<string, string | string[]> | string,
  auth?: { id: string; secret: string } | { authorization: string },
): Promise<ApiResponse> {
  const headers: Record<string, string> = {};
  if (auth && 'authorization' in auth) headers.authorization = auth.authorization;
  else if (auth) headers.authorization = basicHeader(auth.id, auth.secret);
  return call(server, 'oauth2TokenExchange', { form, headers });
}

/** A client_credentials token for a client created with `ccClient`'s secret (or the given one); expects 200. */
export async function issueToken(
  server: TestServer,
  client: CreatedClient,
  form: Record<string, string | string[]> = {},
): Promise<string> {
  const res = await tokenRequest(
    server,
    { grant_type: 'client_credentials', ...form },
    { id: client.client_id, secret: client.client_secret! },
  );
  expect(res.status, res.text).to.equal(200);
  return res.body.access_token as string;
}

/** POST /admin/oauth2/introspect; expects 200 and returns the body. */
export async function introspect(
  server: TestServer,
  token: string,
  extra: Record<string, string> = {},
): Promise<Record<string, unknown>> {
  const res = await call(server, 'introspectOAuth2Token', { form: { token, ...extra } });
  expect(res.status, res.text).to.equal(200);
  return res.body;
}

/** Asserts an OAuth 2.0 error response: status, `error` code, and fosite's headers. */
export function expectOAuth2Error(res: ApiResponse, status: number, error: string) {
  expect(res.status, res.text).to.equal(status);
  expect(res.body.error, res.text).to.equal(error);
  expect(res.body.error_description).to.be.a('string').that.is.not.empty;
  expect(res.headers.get('content-type')).to.equal('application/json;charset=UTF-8');
  expect(res.headers.get('cache-control')).to.equal('no-store');
  expect(res.headers.get('pragma')).to.equal('no-cache');
  expect(res.headers.has('www-authenticate'), 'no WWW-Authenticate header').to.equal(false);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
