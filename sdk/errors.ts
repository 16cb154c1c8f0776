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

/** Runs one fetch, turning a thrown failure into a NetworkError (an abort stays an AbortError). */
export async function fetchOrThrow(fetchImpl: typeof fetch, request: Request): Promise<Response> {
  try {
    return await fetchImpl(request);
  } catch (err) {
    if (isAbort(err)) throw err;
    throw new NetworkError(`${request.method} ${request.url}`, err);
  }
}

export function isAbort(err: unknown): boolean {
  return err instanceof Error && (err.name === 'AbortError' || err.name === 'TimeoutError');
}
