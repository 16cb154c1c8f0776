// Admin API failures as the diagnostics a Terraform user reads: what we tried, and the server's own
// error_description (Hydra's error body) or the connection problem.
import { AdminApiError } from '../admin-client.js';
import { ProviderError } from '../framework/diagnostics.js';

export const describeApiError =
  (action: string) =>
  (err: unknown): never => {
    if (err instanceof AdminApiError) {
      throw new ProviderError(
        `Could not ${action}: ${err.description || err.error || `HTTP ${err.status}`}`,
        err.message,
      );
    }
    throw new ProviderError(`Could not ${action}`, err instanceof Error ? err.message : String(err));
  };
