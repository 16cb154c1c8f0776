// The two ways a call can fail: the server answered with an error (OAuth2ApiError), or no answer arrived at all
// (NetworkError). Callers tell them apart with `instanceof`; both carry what is needed to log or retry.
import type { components } from './generated/openapi.js';

/** Hydra's error body: `error` and `error_description` (RFC 6749 §5.2), sometimes more. */
export type OAuth2ErrorBody = components['schemas']['errorOAuth2'];

/** The server answered with a non-2xx status. */
export class OAuth2ApiError extends Error {
  override readonly name = 'OAuth2ApiError';
  /** HTTP status of the answer. */
  readonly status: number;
  /** The parsed error body; for a body that is not Hydra's JSON, `error` is the HTTP status text. */
  readonly body: OAuth2ErrorBody;
  /** The request that failed, as `METHOD url`. */
  readonly request: string;

  constructor(status: number, body: OAuth2ErrorBody, request: string) {
    const description = body.error_description ? `: ${body.error_description}` : '';
    super(`${body.error ?? 'error'}${description} (HTTP ${status})`);
    this.status = status;
    this.body = body;
    this.request = request;
  }

  /** The RFC 6749 error code, e.g. `invalid_client`. */
  get error(): string | undefined {
    return this.body.error;
  }

  get errorDescription(): string | undefined {
    return this.body.error_description;
  }

  /** Reads a failed response's body into an OAuth2ApiError, whatever its content type. */
  static async fromResponse(response: Response, request: string): Promise<OAuth2ApiError> {
    const text = await response.text().catch(() => '');
    let body: OAuth2ErrorBody | undefined;
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) body = parsed as OAuth2ErrorBody;
    } catch {
      // Not JSON: a proxy's HTML page, say. Keep a short excerpt so the message still says something.
    }
    body ??= {
      error: response.statusText || `HTTP ${response.status}`,
      error_description: text.slice(0, 200),
    };
    return new OAuth2ApiError(response.status, body, request);
  }
}

/** No HTTP answer: DNS failure, refused connection, reset, TLS error or an abort. `cause` is the original error. */
export class NetworkError extends Error {
  override readonly name = 'NetworkError';
  /** The request that failed, as `METHOD url`. */
  readonly request: string;

  constructor(request: string, cause: unknown) {
    super(`${request} failed: ${describeCause(cause)}`, { cause });
    this.request = request;
  }
}

/** fetch's TypeError says only "fetch failed"; the useful part (ECONNREFUSED …) is in its cause. */
function describeCause(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause);
  const inner = cause.cause;
  if (inner instanceof Error && inner.message) return `${cause.message} (${inner.message})`;
  if (inner && typeof inner === 'object' && 'code' in inner)
    return `${cause.message} (${String(inner.code)})`;
  return cause.message;
}

/** How a client sends each request: cancellation, a time limit, and retries when no answer arrives. */
export interface RequestPolicy {
  /** Cancels every request of the client (with the request's own signal, if any). */
  signal?: AbortSignal;
  /** Limit per attempt in milliseconds, so a server that accepts but never answers cannot hang the caller. */
  timeoutMs?: number;
  /**
   * Extra attempts when the server cannot be reached at all (connection refused or reset, DNS), which is what a
   * restarting server looks like. HTTP errors are answers and are never retried. Default 0.
   */
  retries?: number;
  /** First retry delay in milliseconds; doubles each time. Default 250. */
  retryDelayMs?: number;
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

/** True when the error (or one of its causes) says the connection itself failed, so a retry may succeed. */
export function isConnectionError(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && CONNECTION_ERRORS.has(code)) return true;
  }
  return false;
}

/**
 * Runs a fetch under the policy, turning a thrown failure into a NetworkError (an abort stays an AbortError
 * or TimeoutError).
 */
export async function fetchOrThrow(
  fetchImpl: typeof fetch,
  request: Request,
  policy: RequestPolicy = {},
): Promise<Response> {
  const retries = policy.retries ?? 0;
  let delay = policy.retryDelayMs ?? 250;
  for (let attempt = 0; ; attempt++) {
    // A body can be read once: keep the original for the attempts still to come.
    const sent = withSignals(attempt < retries ? request.clone() : request, policy);
    try {
      return await fetchImpl(sent);
    } catch (err) {
      if (isAbort(err)) throw err;
      if (attempt < retries && isConnectionError(err) && !sent.signal.aborted) {
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay *= 2;
        continue;
      }
      throw new NetworkError(`${request.method} ${request.url}`, err);
    }
  }
}

function withSignals(request: Request, policy: RequestPolicy): Request {
  const extra: AbortSignal[] = [];
  if (policy.signal) extra.push(policy.signal);
  if (policy.timeoutMs !== undefined) extra.push(AbortSignal.timeout(policy.timeoutMs));
  if (extra.length === 0) return request;
  return new Request(request, { signal: AbortSignal.any([request.signal, ...extra]) });
}

export function isAbort(err: unknown): boolean {
  return err instanceof Error && (err.name === 'AbortError' || err.name === 'TimeoutError');
}
