// What the client commands do (declared in client-commands.ts), over the SDK's admin client.
import { readFile } from 'node:fs/promises';
import { Option } from 'commander';
import type { OAuth2Client } from '../../sdk/index.js';
import { CLIENT_FLAGS, type ClientOptions, type ListOptions } from './client-commands.js';
import type { Printable } from './output.js';
import type { RemoteOptions } from './remote.js';
import { action, adminClient, deleteEach, output, tryEach } from './remote-client.js';
import { UsageError } from './usage-error.js';

/** The client fields the user set with flags, in Hydra's JSON names. */
function fieldsFromFlags(options: ClientOptions): Partial<OAuth2Client> {
  const fields: Record<string, unknown> = {};
  for (const { flag, field, kind } of CLIENT_FLAGS) {
    const value = options[new Option(`--${flag}`).attributeName()];
    if (value === undefined) continue;
    if (kind === 'scope')
      fields[field] = (value as string[])
        .flatMap((s) => s.split(/\s+/))
        .filter(Boolean)
        .join(' ');
    else if (kind === 'json') fields[field] = parseJson(value as string, `--${flag}`);
    else fields[field] = value;
  }
  return fields as Partial<OAuth2Client>;
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${what} is not valid JSON: ${(err as Error).message}`);
  }
}

/** The JSON held by a file, or by stdin when the path is `-`; `what` names the input in messages. */
async function readJson(path: string, what: string): Promise<unknown> {
  let text: string;
  if (path === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    text = Buffer.concat(chunks).toString('utf8');
  } else {
    text = await readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
      throw new UsageError(`cannot read ${what}: ${err.code ?? err.message}`);
    });
  }
  return parseJson(text, what);
}

const isObject = (value: unknown): value is OAuth2Client =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

async function readClientFile(path: string): Promise<OAuth2Client> {
  const client = await readJson(path, `--file ${path}`);
  if (!isObject(client)) {
    throw new UsageError(`--file ${path} must hold one JSON object (an OAuth 2.0 client)`);
  }
  return client;
}

const CLIENT_HEADER = [
  'CLIENT ID',
  'CLIENT SECRET',
  'GRANT TYPES',
  'RESPONSE TYPES',
  'SCOPE',
  'AUDIENCE',
  'REDIRECT URIS',
];

function clientRow(client: OAuth2Client): string[] {
  return [
    client.client_id ?? '',
    client.client_secret ?? '',
    (client.grant_types ?? []).join(', '),
    (client.response_types ?? []).join(', '),
    client.scope ?? '',
    (client.audience ?? []).join(','),
    (client.redirect_uris ?? []).join(', '),
  ];
}

export function printClient(client: OAuth2Client): Printable {
  return {
    data: client,
    table: { header: CLIENT_HEADER, rows: [clientRow(client)], single: true },
    ids: [client.client_id ?? ''],
  };
}

export function printClients(
  clients: OAuth2Client[],
  data: unknown = clients,
  footer?: [string, string][],
): Printable {
  return {
    data,
    table: { header: CLIENT_HEADER, rows: clients.map(clientRow), footer },
    ids: clients.map((c) => c.client_id ?? ''),
  };
}

/** The `page_token` of the `rel="next"` link in a Link header, if there is one. */
export function nextPageToken(link: string | null): string | undefined {
  for (const part of (link ?? '').split(',')) {
    const match = /<([^>]*)>\s*;\s*rel="?next"?/.exec(part);
    if (match) return new URL(match[1]!, 'http://link.invalid').searchParams.get('page_token') ?? undefined;
  }
  return undefined;
}

export const createClient = action(async (options: ClientOptions) => {
  const body = options.file
    ? await readClientFile(options.file)
    : { ...fieldsFromFlags(options), ...(options.id ? { client_id: options.id } : {}) };
  const { data } = await adminClient(options).POST('/admin/clients', { body });
  output(options, printClient(data));
});

export const getClients = action(async (ids: string[], options: RemoteOptions) => {
  const admin = adminClient(options);
  const clients: OAuth2Client[] = [];
  for (const id of ids)
    clients.push((await admin.GET('/admin/clients/{id}', { params: { path: { id } } })).data);
  output(options, clients.length === 1 ? printClient(clients[0]!) : printClients(clients));
});

export const listClients = action(async (options: ListOptions) => {
  const { data, response } = await adminClient(options).GET('/admin/clients', {
    params: { query: { page_size: options.pageSize, page_token: options.pageToken } },
  });
  const next = nextPageToken(response.headers.get('link'));
  // Hydra's paginated list shape (ory/x cmdx.PaginatedList).
  const page = { items: data, next_page_token: next ?? '', is_last_page: next === undefined };
  output(
    options,
    printClients(data, page, [
      ['NEXT PAGE TOKEN', next ?? ''],
      ['IS LAST PAGE', String(next === undefined)],
    ]),
  );
});

export const updateClient = action(async (id: string, options: ClientOptions) => {
  const admin = adminClient(options);
  if (options.file) {
    const body = await readClientFile(options.file);
    output(
      options,
      printClient((await admin.PUT('/admin/clients/{id}', { params: { path: { id } }, body })).data),
    );
    return;
  }
  const fields = fieldsFromFlags(options);
  if (Object.keys(fields).length === 0)
    throw new UsageError('nothing to update: pass client flags or --file');
  // JSON Patch `add` sets a member whether or not it exists yet (RFC 6902 §4.1).
  const patch = Object.entries(fields).map(([field, value]) => ({
    op: 'add' as const,
    path: `/${field}`,
    value,
  }));
  const { data } = await admin.PATCH('/admin/clients/{id}', { params: { path: { id } }, body: patch });
  output(options, printClient(data));
});

export const deleteClients = action(async (ids: string[], options: RemoteOptions) => {
  const admin = adminClient(options);
  await deleteEach(options, ids, 'client', 'CLIENT ID', (id) =>
    admin.DELETE('/admin/clients/{id}', { params: { path: { id } } }),
  );
});

/**
 * Hydra's `import oauth2-client`: every file holds one client or an array of them; each client is created as
 * given (a missing secret is generated and printed once). A client that cannot be created does not stop the
 * others; the failures are reported together and make the exit code 1.
 */
export const importClients = action(async (files: string[], options: RemoteOptions) => {
  const sources = files.length ? files : ['-'];
  const inputs: [string, OAuth2Client[]][] = [];
  for (const source of sources) {
    const what = source === '-' ? 'stdin' : source;
    const json = await readJson(source, what);
    const clients = Array.isArray(json) ? json : [json];
    if (!clients.every(isObject)) {
      throw new UsageError(`${what} must hold a JSON object (an OAuth 2.0 client) or an array of them`);
    }
    inputs.push([what, clients]);
  }
  const admin = adminClient(options);
  const each = inputs.flatMap(([what, clients]) => clients.map((client, i) => ({ what, client, i })));
  await tryEach(
    each,
    async ({ client }) => (await admin.POST('/admin/clients', { body: client })).data,
    ({ what, client, i }) => `cannot import client ${client.client_id ?? `#${i + 1}`} from ${what}`,
    (imported) => output(options, imported.length === 1 ? printClient(imported[0]!) : printClients(imported)),
  );
});
