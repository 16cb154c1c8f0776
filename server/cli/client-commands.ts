// `tollgate create|get|list|update|delete client`: Hydra's OAuth 2.0 client commands and flags
// (`hydra create client --name … --grant-type … --scope …`), over the SDK's admin client.
import { readFile } from 'node:fs/promises';
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { OAuth2Client } from '../../sdk/index.js';
import type { Printable } from './output.js';
import {
  action,
  adminClient,
  explain,
  group,
  list,
  output,
  type RemoteOptions,
  remoteCommand,
} from './remote.js';

type Kind = 'string' | 'list' | 'scope' | 'bool' | 'json';
interface ClientFlag {
  flag: string;
  field: keyof OAuth2Client;
  kind: Kind;
  description: string;
}

const flag = (
  flag: string,
  field: keyof OAuth2Client,
  description: string,
  kind: Kind = 'string',
): ClientFlag => ({
  flag,
  field,
  kind,
  description,
});

/** Hydra's client flags (cmd/cmd_helper_client.go), each mapped to its JSON field. */
const CLIENT_FLAGS: ClientFlag[] = [
  flag('name', 'client_name', "the client's name"),
  flag('secret', 'client_secret', "the client's secret (generated when not given; at least 6 characters)"),
  flag('grant-type', 'grant_types', 'allowed grant types, e.g. client_credentials', 'list'),
  flag('response-type', 'response_types', 'allowed response types', 'list'),
  flag('scope', 'scope', 'scopes the client may request', 'scope'),
  flag('audience', 'audience', 'audiences the client may request', 'list'),
  flag('redirect-uri', 'redirect_uris', 'allowed redirect URIs', 'list'),
  flag(
    'token-endpoint-auth-method',
    'token_endpoint_auth_method',
    'client_secret_basic (default), client_secret_post or none',
  ),
  flag('owner', 'owner', 'the owner of the client, e.g. a team or a user id'),
  flag('metadata', 'metadata', 'arbitrary JSON metadata', 'json'),
  flag('contact', 'contacts', 'ways to contact the people responsible for the client', 'list'),
  flag('client-uri', 'client_uri', 'a web page about the client'),
  flag('policy-uri', 'policy_uri', 'the privacy policy of the client'),
  flag('tos-uri', 'tos_uri', 'the terms of service of the client'),
  flag('logo-uri', 'logo_uri', 'the logo of the client'),
  flag('allowed-cors-origin', 'allowed_cors_origins', 'origins allowed to make CORS requests', 'list'),
  flag('jwks-uri', 'jwks_uri', "URL of the client's JSON Web Key Set"),
  flag('subject-type', 'subject_type', 'public or pairwise'),
  flag(
    'sector-identifier-uri',
    'sector_identifier_uri',
    'URL listing the redirect URIs of a pairwise client',
  ),
  flag('request-uri', 'request_uris', 'pre-registered request_uri values', 'list'),
  flag('request-object-signing-alg', 'request_object_signing_alg', 'algorithm of request objects'),
  flag('post-logout-callback', 'post_logout_redirect_uris', 'URLs allowed after a logout', 'list'),
  flag('backchannel-logout-callback', 'backchannel_logout_uri', 'back-channel logout URL'),
  flag(
    'backchannel-logout-session-required',
    'backchannel_logout_session_required',
    'require a sid in back-channel logout tokens',
    'bool',
  ),
  flag('frontchannel-logout-callback', 'frontchannel_logout_uri', 'front-channel logout URL'),
  flag(
    'frontchannel-logout-session-required',
    'frontchannel_logout_session_required',
    'require a sid in front-channel logout',
    'bool',
  ),
  flag('access-token-strategy', 'access_token_strategy', 'opaque or jwt'),
  flag('skip-consent', 'skip_consent', 'skip the consent screen', 'bool'),
  flag('skip-logout-consent', 'skip_logout_consent', 'skip the logout consent screen', 'bool'),
  // Not a Hydra flag: the lifespan that matters for machine-to-machine clients, as a Go duration (e.g. 30m).
  flag(
    'client-credentials-grant-access-token-lifespan',
    'client_credentials_grant_access_token_lifespan',
    'access token lifespan for client_credentials, e.g. 30m',
  ),
];

type ClientOptions = RemoteOptions & { file?: string; id?: string } & Record<string, unknown>;

function addClientFlags(cmd: Command): Command {
  for (const { flag, kind, description } of CLIENT_FLAGS) {
    if (kind === 'bool') cmd.option(`--${flag}`, description);
    else if (kind === 'list' || kind === 'scope')
      cmd.option(`--${flag} <values>`, `${description} (a,b or repeated)`, list);
    else cmd.option(`--${flag} <value>`, description);
  }
  return cmd.option(
    '--file <path>',
    "read the client as JSON from this file ('-' for stdin); other client flags are ignored",
  );
}

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
    throw new Error(`${what} is not valid JSON: ${(err as Error).message}`);
  }
}

async function readClientFile(path: string): Promise<OAuth2Client> {
  let text: string;
  if (path === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    text = Buffer.concat(chunks).toString('utf8');
  } else {
    text = await readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
      throw new Error(`cannot read --file ${path}: ${err.code ?? err.message}`);
    });
  }
  const client = parseJson(text, `--file ${path}`);
  if (!client || typeof client !== 'object' || Array.isArray(client)) {
    throw new Error(`--file ${path} must hold one JSON object (an OAuth 2.0 client)`);
  }
  return client as OAuth2Client;
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

export function registerClientCommands(program: Command) {
  const create = group(program, 'create', 'create resources');
  const get = group(program, 'get', 'show resources');
  const listGroup = group(program, 'list', 'list resources');
  const update = group(program, 'update', 'update resources');
  const remove = group(program, 'delete', 'delete resources');

  addClientFlags(
    remoteCommand(
      create.command('client').alias('oauth2-client').description('create an OAuth 2.0 client'),
      'admin',
    ),
  )
    .option('--id <id>', "the client's id (a UUID is generated when not given)")
    .action(
      action(async (options: ClientOptions) => {
        const body = options.file
          ? await readClientFile(options.file)
          : { ...fieldsFromFlags(options), ...(options.id ? { client_id: options.id } : {}) };
        const { data } = await adminClient(options).POST('/admin/clients', { body });
        output(options, printClient(data));
      }),
    );

  remoteCommand(
    get
      .command('client')
      .alias('oauth2-client')
      .argument('<id...>', 'client ids')
      .description('show OAuth 2.0 clients'),
    'admin',
  ).action(
    action(async (ids: string[], options: RemoteOptions) => {
      const admin = adminClient(options);
      const clients: OAuth2Client[] = [];
      for (const id of ids)
        clients.push((await admin.GET('/admin/clients/{id}', { params: { path: { id } } })).data);
      output(options, clients.length === 1 ? printClient(clients[0]!) : printClients(clients));
    }),
  );

  remoteCommand(
    listGroup
      .command('clients')
      .alias('oauth2-clients')
      .description('list OAuth 2.0 clients, one page at a time'),
    'admin',
  )
    .option('--page-size <n>', 'clients per page (default 100, at most 500)', positiveInt)
    .option('--page-token <token>', 'the page to show, from a previous listing')
    .action(
      action(async (options: RemoteOptions & { pageSize?: number; pageToken?: string }) => {
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
      }),
    );

  addClientFlags(
    remoteCommand(
      update
        .command('client')
        .alias('oauth2-client')
        .argument('<id>', 'client id')
        .description('update an OAuth 2.0 client: only the given flags change, or --file replaces it whole'),
      'admin',
    ),
  ).action(
    action(async (id: string, options: ClientOptions) => {
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
      if (Object.keys(fields).length === 0) throw new Error('nothing to update: pass client flags or --file');
      // JSON Patch `add` sets a member whether or not it exists yet (RFC 6902 §4.1).
      const patch = Object.entries(fields).map(([field, value]) => ({
        op: 'add' as const,
        path: `/${field}`,
        value,
      }));
      const { data } = await admin.PATCH('/admin/clients/{id}', { params: { path: { id } }, body: patch });
      output(options, printClient(data));
    }),
  );

  remoteCommand(
    remove
      .command('client')
      .alias('oauth2-client')
      .argument('<id...>', 'client ids')
      .description('delete OAuth 2.0 clients'),
    'admin',
  ).action(
    action(async (ids: string[], options: RemoteOptions) => {
      const admin = adminClient(options);
      const deleted: string[] = [];
      const failed: string[] = [];
      // Like Hydra: every id is tried; the failures are reported together and make the exit code 1.
      for (const id of ids) {
        try {
          await admin.DELETE('/admin/clients/{id}', { params: { path: { id } } });
          deleted.push(id);
        } catch (err) {
          failed.push(`cannot delete client ${id}: ${explain(err)}`);
        }
      }
      if (deleted.length) {
        output(options, {
          data: deleted,
          table: { header: ['CLIENT ID'], rows: deleted.map((id) => [id]) },
          ids: deleted,
        });
      }
      if (failed.length) throw new Error(failed.join('\n'));
    }),
  );
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive whole number.');
  return n;
}
