// What both flow stores (PostgreSQL and the in-memory one of the tests) share about consent sessions: keyset
// page tokens of the list (Hydra v25 pages it by keyset with a Link header), newest first, so a token names the
// (requested_at, id) of the last session of the previous page, in the clients list's format (a malformed one is
// the same 400); and the flow id behind a `consent_request_id`.
import { decodePageToken, encodePageToken } from '../clients/pagination.js';
import { BadRequestError } from '../oauth2/errors.js';

export interface ConsentPageKey {
  requested_at: Date;
  id: string;
}

export function encodeConsentPageToken(last: ConsentPageKey): string {
  return encodePageToken(`${last.requested_at.getTime()}/${last.id}`);
}

/** Throws BadRequestError for anything `encodeConsentPageToken` did not produce. */
export function decodeConsentPageToken(token: string): ConsentPageKey {
  const match = /^(\d{1,15})\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/.exec(
    decodePageToken(token),
  );
  if (!match) throw new BadRequestError('Unable to parse pagination parameters: page_token is malformed');
  return { requested_at: new Date(Number(match[1])), id: match[2]! };
}

/** Newest first, ties broken by id (descending), as both stores order the list. */
export function isAfterPageKey(row: ConsentPageKey, key: ConsentPageKey): boolean {
  const a = row.requested_at.getTime();
  const b = key.requested_at.getTime();
  return a < b || (a === b && row.id < key.id);
}

const HEX_UUID = /^([0-9a-f]{8})([0-9a-f]{4})([0-9a-f]{4})([0-9a-f]{4})([0-9a-f]{12})$/;

/** `consent_request_id` is the flow id without dashes (Hydra's consent/handler.go); null when it cannot be one. */
export function flowIdOfConsentRequest(consentRequestId: string): string | null {
  const m = HEX_UUID.exec(consentRequestId.toLowerCase());
  return m ? m.slice(1).join('-') : null;
}
