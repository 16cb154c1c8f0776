// Admin API failures as the diagnostics a Terraform user reads: what we tried, and the server's own
// error_description (Hydra's error body) or the connection problem.
import { OAuth2ApiError } from '../../../sdk/errors.js';
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
    // A NetworkError's message already names the request and the reason (ECONNREFUSED, Terraform's stop).
    throw new ProviderError(`Could not ${action}`, err instanceof Error ? err.message : String(err));
  };
