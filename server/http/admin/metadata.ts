// Admin API: GET /admin/version.
import type { Handlers } from '../operations.js';

export function metadataHandlers(version: string) {
  return {
    async getVersion() {
      return { status: 200, body: { version } };
    },
  } satisfies Handlers;
}
