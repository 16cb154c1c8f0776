// Typed clients for Tollgate's admin and public APIs: openapi-fetch over the types generated from openapi.yaml,
// plus what openapi-fetch leaves to the caller: form bodies for the three RFC form endpoints, client
// authentication, and one error class for every failed call.
import createClient, {
  type Client,
  type ClientPathsWithMethod,
  type FetchResponse,
  type MaybeOptionalInit,
  type Middleware,
  mergeHeaders,
} from 'openapi-fetch';
import { fetchOrThrow, OAuth2ApiError, type RequestPolicy } from './errors.js';
import type { paths } from './generated/openapi.js';

/** Whatever `new Headers()` takes (spelled this way so neither DOM nor Node typings are required). */
export type HeadersInput = ConstructorParameters<typeof Headers>[0];

type Method = 'get' | 'put' | 'post' | 'delete' | 'patch';
type RequiredKeys<T> = { [K in keyof T]-?: Record<never, never> extends Pick<T, K> ? never : K }[keyof T];
type InitArgs<Init> = RequiredKeys<Init> extends never ? [init?: Init] : [init: Init];
/** Failed calls throw, so a call that returns always holds the success branch of openapi-fetch's result. */
type Success<R> = Extract<R, { data: unknown }>;

/**
 * One HTTP method of a client: the path picks the operation, whose parameters and body are type-checked.
 * Unlike openapi-fetch's own signature, the init object is not a type parameter, so a misspelt body field is
 * an excess-property error instead of being inferred into the call.
 */
export type CallMethod<Paths extends object, M extends Method> = <
  Path extends ClientPathsWithMethod<Client<Paths>, M>,
>(
  path: Path,
  ...init: InitArgs<Init<Paths[Path], M>>
) => Promise<
  Success<FetchResponse<Paths[Path][M & keyof Paths[Path]] & object, object, `${string}/${string}`>>
>;
type Init<PathItem, M extends Method> = Omit<
  NonNullable<MaybeOptionalInit<PathItem, M & keyof PathItem>>,
  'parseAs' | 'bodySerializer' | 'querySerializer' | 'pathSerializer' | 'fetch'
>;

export interface TollgateClient<Paths extends object> {
  GET: CallMethod<Paths, 'get'>;
  POST: CallMethod<Paths, 'post'>;
  PUT: CallMethod<Paths, 'put'>;
  PATCH: CallMethod<Paths, 'patch'>;
  DELETE: CallMethod<Paths, 'delete'>;
  /** Adds openapi-fetch middleware (logging, tracing, extra headers). */
  use(...middleware: Middleware[]): void;
  eject(...middleware: Middleware[]): void;
}

type PathsWhere<Prefix extends string> = Pick<paths, Extract<keyof paths, Prefix>>;
/** Operations served by the admin port (4445). */
export type AdminPaths = PathsWhere<`/admin/${string}` | `/health/${string}`>;
/** Operations served by the public port (4444). */
export type PublicPaths = PathsWhere<`/oauth2/${string}` | `/.well-known/${string}` | `/health/${string}`>;

type FormPath = {
  [P in keyof paths]: paths[P]['post'] extends {
    requestBody: { content: { 'application/x-www-form-urlencoded': unknown } };
  }
    ? P
    : never;
}[keyof paths];
/** The operations whose body is a form (RFC 6749 §4.4.2, RFC 7009 §2.1, RFC 7662 §2.1, RFC 8628 §3.1), not JSON. */
const FORM_PATHS = [
  '/oauth2/token',
  '/oauth2/revoke',
  '/admin/oauth2/introspect',
  '/oauth2/device/auth',
] as const satisfies readonly FormPath[];
// Compile-time proof that the list above is exactly the contract's form operations (satisfies: no extra path;
// this check: none missing).
const formPathsComplete: [Exclude<FormPath, (typeof FORM_PATHS)[number]>] extends [never] ? true : false =
  true;
void formPathsComplete;
/** Where the contract allows client authentication (`security: basic`). */
const CLIENT_AUTH_PATHS = new Set<string>(['/oauth2/token', '/oauth2/revoke', '/oauth2/device/auth']);

export interface ClientOptions extends RequestPolicy {
  /** Base URL of the port, e.g. `http://127.0.0.1:4445` for the admin API. */
  baseUrl: string;
  /** A fetch implementation (default: the global fetch). */
  fetch?: typeof fetch;
  /** Headers sent with every request. */
  headers?: HeadersInput;
}

export interface AdminClientOptions extends ClientOptions {
  /** Bearer token for an admin API behind authentication; defaults to nothing. */
  token?: string;
}

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
  /** `client_secret_basic` (default, as Hydra's clients default) or `client_secret_post`. */
  method?: 'client_secret_basic' | 'client_secret_post';
}

export interface PublicClientOptions extends ClientOptions {
  /** Client authentication added to token and revocation requests. */
  client?: ClientCredentials;
}

export type AdminClient = TollgateClient<AdminPaths>;
export type PublicClient = TollgateClient<PublicPaths>;

/** A client for the admin API (clients, introspection, token deletion, keys). */
export function createAdminClient(options: AdminClientOptions): AdminClient {
  const headers = new Headers(options.headers);
  if (options.token) headers.set('authorization', `Bearer ${options.token}`);
  return wrap<AdminPaths>({ ...options, headers }, undefined);
}

/** A client for the public API (token endpoint, revocation, discovery). */
export function createPublicClient(options: PublicClientOptions): PublicClient {
  return wrap<PublicPaths>(options, options.client);
}

/**
 * `Authorization: Basic` for `client_secret_basic`: id and secret are form-urlencoded before joining
 * (RFC 6749 §2.3.1), which Hydra undoes, so ids and secrets with `:`, `%` or spaces survive.
 */
export function basicAuthorization(clientId: string, clientSecret: string): string {
  return `Basic ${btoa(`${formUrlEncode(clientId)}:${formUrlEncode(clientSecret)}`)}`;
}

/** application/x-www-form-urlencoded; arrays become repeated keys, undefined and null are left out. */
export function formBody(body: object): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(body)) {
    if (value === undefined || value === null) continue;
    for (const item of Array.isArray(value) ? value : [value]) params.append(key, String(item));
  }
  return params.toString();
}

function formUrlEncode(value: string): string {
  return new URLSearchParams([['', value]]).toString().slice(1);
}

function wrap<Paths extends object>(options: ClientOptions, auth: ClientCredentials | undefined) {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const raw = createClient<Paths>({
    baseUrl: options.baseUrl,
    headers: options.headers,
    fetch: (request) => fetchOrThrow(fetchImpl, request, options),
  });
  raw.use(throwOnError);

  const call =
    (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE') =>
    (path: string, init: Record<string, unknown> = {}) => {
      if (method === 'POST' && (FORM_PATHS as readonly string[]).includes(path))
        init = asForm(path, init, auth);
      return (raw[method] as (path: string, init: unknown) => Promise<unknown>)(path, init);
    };
  return {
    GET: call('GET'),
    POST: call('POST'),
    PUT: call('PUT'),
    PATCH: call('PATCH'),
    DELETE: call('DELETE'),
    use: (...middleware: Middleware[]) => raw.use(...middleware),
    eject: (...middleware: Middleware[]) => raw.eject(...middleware),
  } as unknown as TollgateClient<Paths>;
}

// openapi-fetch would send these bodies as JSON (openapi-ts/openapi-typescript#2069): serialize them as forms.
function asForm(path: string, init: Record<string, unknown>, auth: ClientCredentials | undefined) {
  const headers = mergeHeaders(
    { 'Content-Type': 'application/x-www-form-urlencoded' },
    init.headers as HeadersInput,
  );
  let body = init.body as Record<string, unknown> | undefined;
  if (auth && CLIENT_AUTH_PATHS.has(path)) {
    if (auth.method === 'client_secret_post') {
      body = { ...body, client_id: auth.clientId, client_secret: auth.clientSecret };
    } else if (!headers.has('authorization')) {
      headers.set('authorization', basicAuthorization(auth.clientId, auth.clientSecret));
    }
  }
  return { ...init, body, headers, bodySerializer: formBody };
}

const throwOnError: Middleware = {
  async onResponse({ request, response }) {
    if (!response.ok) throw await OAuth2ApiError.fromResponse(response, `${request.method} ${request.url}`);
    return undefined;
  },
};
