// Pairwise subject identifiers (OpenID Connect Core §8.1; Hydra's consent/subject_identifier_pairwise.go):
// a client with `subject_type: pairwise` sees `sub = hex(SHA-256(sectorId ‖ subject ‖ salt))` in its ID tokens
// and userinfo, so two clients of different sectors cannot correlate a user. The access token and introspection
// keep the raw subject; introspection adds it as `obfuscated_subject`.
//
// sectorId is the `sector_identifier_uri` string, else the host[:port] of the redirect URIs. Hydra refuses more
// than one redirect URI without a sector URI; Tollgate accepts several that share one host (they are one
// sector by OIDC Core §8.1, and the host is what Hydra hashes), and checks the rule when the client is saved.
import { createHash } from 'node:crypto';
import { parseUrl } from '../clients/go-url.js';
import type { FlowRecord } from '../flows/types.js';
import type { SafeFetch } from '../net/safe-fetch.js';
import { InvalidClientMetadata, InvalidRequest } from '../oauth2/errors.js';
import type { AccessTokenStrategyName } from '../oauth2/ports.js';

/** What pairwise reads of a client (a validated `Client` or a stored document). */
export interface SubjectClient {
  client_id: string;
  subject_type?: string | null;
  sector_identifier_uri?: string | null;
  redirect_uris?: readonly string[] | null;
  access_token_strategy?: string | null;
}

export interface SubjectIdentifierOptions {
  /** `oidc.subject_identifiers.supported_types` (default [public]). */
  supportedTypes: readonly string[];
  /** `oidc.subject_identifiers.pairwise.salt`: at least 8 characters when pairwise is enabled (config.ts). */
  salt: string;
  /** `strategies.access_token`: a JWT access token shows the client the raw subject, so pairwise is off with it. */
  defaultStrategy: AccessTokenStrategyName;
}

export const MIN_SALT_LENGTH = 8;

/**
 * Hydra's SubjectTypesSupported: `public` and `pairwise` as configured (public when neither is), without
 * pairwise when the access token strategy in force (the client's own, else the server's) is jwt.
 */
export function subjectTypesSupported(options: SubjectIdentifierOptions, client?: SubjectClient): string[] {
  let pairwise = options.supportedTypes.includes('pairwise');
  const publicType = options.supportedTypes.includes('public') || !pairwise;
  const strategy = client?.access_token_strategy?.toLowerCase() || options.defaultStrategy;
  if (strategy === 'jwt') pairwise = false;
  return [...(publicType ? ['public'] : []), ...(pairwise ? ['pairwise'] : [])];
}

const multipleHosts = (clientId: string) =>
  `OAuth 2.0 Client ${clientId} has multiple redirect_uris but no sector_identifier_uri was set which is not allowed when performing using subject type pairwise. Please reconfigure the OAuth 2.0 client properly.`;
const noSector = (clientId: string) =>
  `OAuth 2.0 Client ${clientId} neither specifies a sector_identifier_uri nor a redirect_uri which is not allowed when performing using subject type pairwise. Please reconfigure the OAuth 2.0 client properly.`;

/** Go's `url.Parse(u).Host`; null when it does not parse. */
function hostOf(uri: string): string | null {
  try {
    return parseUrl(uri).host;
  } catch {
    return null;
  }
}

/**
 * The client's sector: its sector_identifier_uri, else the one host of its redirect URIs. A string is the
 * sector; otherwise the reason (Hydra's hint) it has none.
 */
export function sectorIdentifier(client: SubjectClient): { sector: string } | { problem: string } {
  if (client.sector_identifier_uri) return { sector: client.sector_identifier_uri };
  const uris = client.redirect_uris ?? [];
  if (uris.length === 0) return { problem: noSector(client.client_id) };
  const hosts = new Set(uris.map(hostOf));
  const [host] = hosts;
  if (hosts.size > 1 || host === null || host === undefined)
    return { problem: multipleHosts(client.client_id) };
  return { sector: host };
}

/** sub = hex(SHA-256(sectorId ‖ subject ‖ salt)) (OIDC Core §8.1). */
export function pairwiseSubject(sector: string, subject: string, salt: string): string {
  return createHash('sha256').update(sector).update(subject).update(salt).digest('hex');
}

export interface SubjectIdentifiers {
  /**
   * The `sub` the client sees in ID tokens and userinfo: the raw subject for a public client; for a pairwise one
   * the login's `force_subject_identifier` when set, else the pairwise value. Throws invalid_request as Hydra
   * when pairwise is not (or no longer) configured, or the client has no sector.
   */
  forClient(client: SubjectClient, subject: string, forced?: string): string;
  /** At client create and update: the subject type's sector rule (the subject type itself is validateClient's). */
  checkClient(client: SubjectClient): void;
  /** subjectTypesSupported for these options: discovery's list without a client, a client's with it. */
  typesFor(client?: SubjectClient): string[];
  /**
   * Introspection's `obfuscated_subject` (Hydra: the ID token's `sub` when it differs from the subject): only
   * for a token of a browser flow (`flow`), whose client is pairwise; null otherwise or when it cannot be computed.
   */
  obfuscated(client: SubjectClient, subject: string, flow: FlowRecord | null): string | null;
}

export function createSubjectIdentifiers(options: SubjectIdentifierOptions): SubjectIdentifiers {
  const forClient: SubjectIdentifiers['forClient'] = (client, subject, forced) => {
    if (client.subject_type !== 'pairwise') return subject;
    if (!subjectTypesSupported(options, client).includes('pairwise')) {
      throw new InvalidRequest(
        `Subject Identifier Algorithm 'pairwise' was requested by OAuth 2.0 Client '${client.client_id}' but is not configured.`,
      );
    }
    if (forced) return forced;
    const sector = sectorIdentifier(client);
    if ('problem' in sector) throw new InvalidRequest(sector.problem);
    return pairwiseSubject(sector.sector, subject, options.salt);
  };

  return {
    forClient,

    typesFor: (client) => subjectTypesSupported(options, client),

    obfuscated(client, subject, flow) {
      if (flow === null || client.subject_type !== 'pairwise') return null;
      try {
        const sub = forClient(client, subject, flow.login?.force_subject_identifier);
        return sub === subject ? null : sub;
      } catch {
        return null;
      }
    },

    checkClient(client) {
      if (client.subject_type !== 'pairwise') return;
      const sector = sectorIdentifier(client);
      // A client without any redirect URI never receives an ID token; only several hosts are a mistake.
      const uris = client.redirect_uris ?? [];
      if ('problem' in sector && uris.length > 0) throw new InvalidClientMetadata(sector.problem);
    },
  };
}

export interface SectorDocumentDeps {
  /** The SSRF-guarded fetch (server/net/safe-fetch.ts). */
  fetch: SafeFetch;
  timeoutMs?: number;
}

const SECTOR_TIMEOUT_MS = 5_000;
const SECTOR_MAX_BYTES = 1 << 20;

/**
 * OIDC Core §8.1 and Hydra's ValidateSectorIdentifierURL: the sector_identifier_uri must answer a JSON array of
 * URIs that includes every redirect URI of the client. Each failure is invalid_client_metadata with a hint
 * saying what is wrong (Hydra puts the reason in the debug field, which clients do not see).
 */
export async function checkSectorDocument(
  deps: SectorDocumentDeps,
  location: string,
  redirectUris: readonly string[],
): Promise<void> {
  let reply: Awaited<ReturnType<SafeFetch>>;
  try {
    reply = await deps.fetch(location, {
      timeoutMs: deps.timeoutMs ?? SECTOR_TIMEOUT_MS,
      maxBytes: SECTOR_MAX_BYTES,
      headers: { accept: 'application/json' },
    });
  } catch (err) {
    // safe-fetch's messages name the URL and the reason (refused address, timeout, size), never a body.
    throw new InvalidClientMetadata(
      `Unable to fetch the sector_identifier_uri: ${(err as Error)?.message ?? 'request failed'}.`,
    );
  }
  if (reply.status < 200 || reply.status > 299) {
    throw new InvalidClientMetadata(`The sector_identifier_uri answered with HTTP status ${reply.status}.`);
  }
  let urls: unknown;
  try {
    urls = JSON.parse(reply.body.toString('utf8'));
  } catch {
    urls = undefined;
  }
  if (!Array.isArray(urls) || !urls.every((u) => typeof u === 'string')) {
    throw new InvalidClientMetadata('The sector_identifier_uri must answer a JSON array of URIs.');
  }
  if (urls.length === 0)
    throw new InvalidClientMetadata('Array from sector_identifier_uri contains no items.');
  for (const uri of redirectUris) {
    if (!urls.includes(uri)) {
      throw new InvalidClientMetadata(
        `Redirect URL '${uri}' does not match values from sector_identifier_uri.`,
      );
    }
  }
}

/** The client service's I/O checks (ClientServiceDeps.checkClient): the sector rule, then the sector document. */
export function pairwiseClientChecks(deps: {
  subjects: Pick<SubjectIdentifiers, 'checkClient'>;
  sector: SectorDocumentDeps;
}): (client: SubjectClient) => Promise<void> {
  return async (client) => {
    deps.subjects.checkClient(client);
    if (client.sector_identifier_uri) {
      await checkSectorDocument(deps.sector, client.sector_identifier_uri, client.redirect_uris ?? []);
    }
  };
}
