// Keyset pagination of GET /admin/clients, as Hydra v25 (`ory/x pagination/keysetpagination_v2`): ordered by
// id, default page size 100, at most 500, a size of 0 or less means the default, and a token that cannot be
// read is a 400. Hydra encrypts its tokens and expires them after an hour; Tollgate's token only names the
// last id of the previous page, which reveals nothing the caller has not already seen.
import { BadRequestError } from '../oauth2/errors.js';

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 500;

const invalid = (reason: string) => new BadRequestError(`Unable to parse pagination parameters: ${reason}`);

/** The effective page size for a requested one. */
export function pageSize(requested: number | undefined): number {
  if (requested === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isSafeInteger(requested)) throw invalid('page_size must be an integer');
  if (requested <= 0) return DEFAULT_PAGE_SIZE;
  return Math.min(requested, MAX_PAGE_SIZE);
}

/** An opaque token for the page after the client with this id. */
export function encodePageToken(lastId: string): string {
  return Buffer.from(JSON.stringify({ id: lastId }), 'utf8').toString('base64url');
}

/** The last id of the previous page; throws BadRequestError for anything `encodePageToken` did not produce. */
export function decodePageToken(token: string): string {
  // Node's base64url decoder skips invalid characters, so check the alphabet first.
  if (!/^[A-Za-z0-9_-]+$/.test(token)) throw invalid('page_token is malformed');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalid('page_token is malformed');
  }
  if (typeof parsed !== 'object' || parsed === null || typeof (parsed as { id?: unknown }).id !== 'string') {
    throw invalid('page_token is malformed');
  }
  return (parsed as { id: string }).id;
}
