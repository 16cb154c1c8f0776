// The client registry behind the admin API (Hydra `client/handler.go`): create, read, list, replace, patch,
// lifespans and delete. Methods return the wire JSON of the contract's `oAuth2Client`.
//
// Concurrency: set, patch and setLifespans read, modify and write back inside `ClientStore.modify`, which
// locks the client's row; two concurrent writers are serialised and neither update is lost (Hydra can lose one).

import { randomSecret, uuidv4 } from '../crypto/random.js';
import { BadRequestError, NotFoundError } from '../oauth2/errors.js';
import {
  type Client,
  type JsonPatchOperation,
  LIFESPAN_FIELDS,
  type OAuth2ClientInputWire,
  type OAuth2ClientTokenLifespansWire,
  type OAuth2ClientWire,
  type StoredClient,
} from './client.js';
import { readClient, readLifespans, renderClient } from './client-codec.js';
import { type ClientValidatorOptions, validateClient } from './client-policy.js';
import { applyJsonPatch } from './json-patch.js';
import { decodePageToken, encodePageToken, pageSize } from './pagination.js';
import type { ClientStore } from './ports.js';
import { clientFromStored, storedClient } from './stored-client.js';

export interface ClientServiceDeps {
  store: ClientStore;
  hasher: { hash(secret: string): Promise<string> };
  /** Issues a registration access token (`ory_at_…`) and its storage key, the only part the client keeps. */
  registrationToken: () => { token: string; signature: string };
  /** The public URL (`urls.self.public`), used for `registration_client_uri`. */
  publicUrl: string;
  now?: () => Date;
  validation?: ClientValidatorOptions;
  /**
   * Checks that need I/O, after validation and before anything is written (create, replace, patch): the pairwise
   * sector rule and the sector_identifier_uri document (oidc/pairwise.ts). Throws the client's error.
   */
  checkClient?: (client: Client) => Promise<void>;
}

export interface ListClientsQuery {
  page_size?: number;
  page_token?: string;
  client_name?: string;
  owner?: string;
}

export interface ClientPage {
  clients: OAuth2ClientWire[];
  /** The effective page size (default and cap applied), for the `Link` header. */
  pageSize: number;
  /** Present when more clients follow; pass it back as `page_token`. */
  nextPageToken?: string;
}

/** Length of generated secrets (Hydra `x.GenerateSecret(26)`). */
const GENERATED_SECRET_LENGTH = 26;

// Hydra's patcher protects the id; the path's id wins anyway, but a clear 400 beats a silently ignored op.
const PATCH_DENY_PATHS = ['/client_id'];

/** Go's `url.PathEscape`: like encodeURIComponent, but keeps `$&+,:;=@` and escapes `!'()*`. */
const pathEscape = (s: string): string =>
  encodeURIComponent(s)
    .replace(/%(24|26|2B|2C|3A|3B|3D|40)/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)))
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

export class ClientService {
  private readonly store: ClientStore;
  private readonly hasher: ClientServiceDeps['hasher'];
  private readonly registrationToken: ClientServiceDeps['registrationToken'];
  private readonly publicUrl: string;
  private readonly now: () => Date;
  private readonly validation: ClientValidatorOptions;
  private readonly checkClient: (client: Client) => Promise<void>;

  constructor(deps: ClientServiceDeps) {
    this.store = deps.store;
    this.hasher = deps.hasher;
    this.registrationToken = deps.registrationToken;
    this.publicUrl = deps.publicUrl.replace(/\/+$/, '');
    this.now = deps.now ?? (() => new Date());
    this.validation = deps.validation ?? {};
    this.checkClient = deps.checkClient ?? (async () => {});
  }

  /**
   * POST /admin/clients. The response carries the plaintext secret (generated when none was sent, except for
   * `token_endpoint_auth_method: none`), a registration access token and the registration URI.
   */
  async create(input: OAuth2ClientInputWire): Promise<OAuth2ClientWire> {
    const { client: read, secret: sent } = readClient(input);
    const client = validateClient(read, sent, this.validation);
    if (client.client_id === '') client.client_id = uuidv4();
    await this.checkClient(client);

    const isPublic = client.token_endpoint_auth_method === 'none';
    // Hydra hashes a secret a public client was given, but never shows it; it only generates one for others.
    const secret = sent !== '' ? sent : isPublic ? '' : randomSecret(GENERATED_SECRET_LENGTH);
    const secretHash = secret === '' ? null : await this.hasher.hash(secret);

    // Kept to the millisecond (rendered in whole seconds): it tells apart two clients that had the same id,
    // which is what binds a stateless token to the client that issued it (oauth2/stateless.ts).
    const now = this.now();
    // Issued before the insert, so a failure leaves no client behind. Only the token's storage key is kept
    // (Hydra: registration_access_token_signature), for RFC 7592 management (registration.ts).
    const registration = this.registrationToken();
    await this.store.create({
      ...storedClient(client, secretHash, now, now),
      registration_token_signature: registration.signature,
    });

    return renderClient(client, {
      created_at: now,
      updated_at: now,
      client_secret: isPublic ? undefined : secret,
      registration_access_token: registration.token,
      registration_client_uri: `${this.publicUrl}/oauth2/register/${pathEscape(client.client_id)}`,
    });
  }

  /** GET /admin/clients/{id}: never with a secret. */
  async get(id: string): Promise<OAuth2ClientWire> {
    return this.render(await this.load(id));
  }

  /** DELETE /admin/clients/{id}. */
  async delete(id: string): Promise<void> {
    if (!(await this.store.delete(id))) throw new NotFoundError();
  }

  /** GET /admin/clients: one page ordered by id, filtered by exact name and owner (empty means no filter). */
  async list(query: ListClientsQuery = {}): Promise<ClientPage> {
    const limit = pageSize(query.page_size);
    const afterId = query.page_token ? decodePageToken(query.page_token) : undefined;
    // One row more than the page tells whether a next page exists without counting.
    const rows = await this.store.list({
      limit: limit + 1,
      ...(afterId !== undefined && { afterId }),
      ...(query.client_name && { client_name: query.client_name }),
      ...(query.owner && { owner: query.owner }),
    });
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      clients: page.map((row) => this.render(row)),
      pageSize: limit,
      ...(rows.length > limit && last !== undefined && { nextPageToken: encodePageToken(last.client_id) }),
    };
  }

  /**
   * PUT /admin/clients/{id}: a full replace. The path's id wins, unsent fields take their defaults, an unsent
   * secret keeps the stored hash, and a sent secret is hashed and echoed once.
   */
  async set(id: string, input: OAuth2ClientInputWire): Promise<OAuth2ClientWire> {
    const { client: read, secret } = readClient(input);
    read.client_id = id;
    const client = validateClient(read, secret, this.validation);
    await this.checkClient(client);
    return this.replace(id, async () => ({ client, secret }));
  }

  /**
   * PUT /oauth2/register/{id} (RFC 7592 §2.2): a full replace like `set`, without a secret, and only while
   * `authorize` accepts the stored row (it throws otherwise). It runs under the row lock, and the same write
   * replaces the registration token's key, so a token is good for one PUT: of two sent at once with the same
   * token, the second finds the new key. The response carries the new token (Hydra rotates it too).
   */
  async setRegistered(
    id: string,
    input: OAuth2ClientInputWire,
    authorize: (existing: StoredClient) => void,
  ): Promise<OAuth2ClientWire> {
    const { client: read } = readClient(input);
    read.client_id = id;
    const client = validateClient(read, '', this.validation);
    return this.replace(
      id,
      async (existing) => {
        authorize(existing);
        // After the token check: an unauthenticated caller makes no outbound request.
        await this.checkClient(client);
        return { client, secret: '' };
      },
      { rotateRegistrationToken: true },
    );
  }

  /**
   * PATCH /admin/clients/{id}: RFC 6902 ops on the stored client's JSON (as GET shows it), validated like PUT.
   * Adding `/client_secret` rotates the secret and is the only way the response shows one.
   */
  async patch(id: string, operations: readonly JsonPatchOperation[]): Promise<OAuth2ClientWire> {
    return this.replace(id, async (existing) => {
      const patched = applyJsonPatch(this.render(existing), operations, { denyPaths: PATCH_DENY_PATHS });
      if (typeof patched !== 'object' || patched === null || Array.isArray(patched)) {
        throw new BadRequestError('Unable to apply the JSON Patch: the patched client is not a JSON object');
      }
      const { client: read, secret } = readClient(patched);
      read.client_id = id;
      const client = validateClient(read, secret, this.validation);
      // Under the row lock: the fetch is bounded by its timeout.
      await this.checkClient(client);
      return { client, secret };
    });
  }

  /**
   * PUT /admin/clients/{id}/lifespans: replaces all 13 lifespans (an absent one becomes null, as Hydra decodes
   * the body into a fresh struct) and leaves every other field alone.
   */
  async setLifespans(id: string, lifespans: OAuth2ClientTokenLifespansWire): Promise<OAuth2ClientWire> {
    const values = readLifespans(lifespans);
    const stored = await this.store.modify(id, async (existing) => {
      const client = clientFromStored(existing);
      for (const f of LIFESPAN_FIELDS) client[f] = values[f];
      return {
        ...storedClient(
          validateClient(client, '', this.validation),
          existing.secret_hash,
          existing.created_at,
          this.now(),
        ),
        registration_token_signature: existing.registration_token_signature ?? null,
      };
    });
    return this.render(stored);
  }

  private async load(id: string): Promise<StoredClient> {
    const stored = await this.store.get(id);
    if (stored === null) throw new NotFoundError();
    return stored;
  }

  /**
   * Writes the validated replacement `build` makes from the current row (under the store's lock) and renders it
   * like Hydra's update response (unsent arrays stay null).
   */
  private async replace(
    id: string,
    build: (existing: StoredClient) => Promise<{ client: Client; secret: string }>,
    { rotateRegistrationToken = false } = {},
  ): Promise<OAuth2ClientWire> {
    let built: { client: Client; secret: string } | undefined;
    let registration: { token: string; signature: string } | undefined;
    const stored = await this.store.modify(id, async (existing) => {
      built = await build(existing);
      const secretHash = built.secret !== '' ? await this.hasher.hash(built.secret) : existing.secret_hash;
      registration = rotateRegistrationToken ? this.registrationToken() : undefined;
      return {
        ...storedClient(built.client, secretHash, existing.created_at, this.now()),
        registration_token_signature:
          registration?.signature ?? existing.registration_token_signature ?? null,
      };
    });
    const { client, secret } = built!;
    return renderClient(client, {
      created_at: stored.created_at,
      updated_at: stored.updated_at,
      client_secret: secret !== '' ? secret : undefined,
      registration_access_token: registration?.token,
    });
  }

  /** GET's shape: re-rendered in Hydra's key order (jsonb does not keep it), timestamps from the columns. */
  private render(stored: StoredClient): OAuth2ClientWire {
    return renderClient(clientFromStored(stored), {
      created_at: stored.created_at,
      updated_at: stored.updated_at,
    });
  }
}
