// Admin API failures as the diagnostics a Terraform user reads: what we tried, and the server's own
// error_description (Hydra's error body) or the connection problem.
import { NetworkError, OAuth2ApiError } from '../../../sdk/index.js';
import { ProviderError } from '../framework/diagnostics.js';

export const describeApiError =
  (action: string) =>
  (err: unknown): never => {
    if (err instanceof OAuth2ApiError) {
      throw new ProviderError(
        `Could not ${action}: ${err.errorDescription || err.error || `HTTP ${err.status}`}`,
        `${err.request}: ${err.message}`,
      );
    }
    if (err instanceof NetworkError) {
      // fetch's own message is only "fetch failed"; the reason (ECONNREFUSED, Terraform's stop) is its cause.
      const cause = err.cause as { message?: string; cause?: { message?: string } } | undefined;
      throw new ProviderError(
        `Could not ${action}`,
        `${err.request}: ${cause?.cause?.message ?? cause?.message ?? err.message}`,
      );
    }
    throw new ProviderError(`Could not ${action}`, err instanceof Error ? err.message : String(err));
  };
