// `tollgate create|get|list|update|delete|import client`: Hydra's OAuth 2.0 client commands and flags
// (`hydra create client --name … --grant-type … --scope …`), declared here; client-actions.ts runs them over the
// SDK's admin client and is loaded only when one runs.
import { type Command, InvalidArgumentError } from 'commander';
import type { OAuth2Client } from '../../sdk/index.js';
import { examples } from './examples.js';
import { group, list, type RemoteOptions, remoteCommand } from './remote.js';

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
export const CLIENT_FLAGS: ClientFlag[] = [
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

export type ClientOptions = RemoteOptions & { file?: string; id?: string } & Record<string, unknown>;
export type ListOptions = RemoteOptions & { pageSize?: number; pageToken?: string };

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

const run = () => import('./client-actions.js');

export function registerClientCommands(program: Command) {
  const create = group(program, 'create', 'create resources');
  const get = group(program, 'get', 'show resources');
  const listGroup = group(program, 'list', 'list resources');
  const update = group(program, 'update', 'update resources');
  const remove = group(program, 'delete', 'delete resources');
  const importGroup = group(program, 'import', 'import resources');

  examples(
    addClientFlags(
      remoteCommand(
        create.command('client').alias('oauth2-client').description('create an OAuth 2.0 client'),
        'admin',
      ),
    )
      .option('--id <id>', "the client's id (a UUID is generated when not given)")
      .action(async (options: ClientOptions) => (await run()).createClient(options)),
    'tollgate create client -e http://127.0.0.1:4445 --name my-service --grant-type client_credentials --scope read,write',
    'tollgate create client --id billing --audience https://api.example --format json',
    'tollgate create client --file client.json',
  );

  examples(
    remoteCommand(
      get
        .command('client')
        .alias('oauth2-client')
        .argument('<id...>', 'client ids')
        .description('show OAuth 2.0 clients'),
      'admin',
    ).action(async (ids: string[], options: RemoteOptions) => (await run()).getClients(ids, options)),
    'tollgate get client <client-id> -e http://127.0.0.1:4445',
    'tollgate get client <client-id-1> <client-id-2> --format json',
  );

  examples(
    remoteCommand(
      listGroup
        .command('clients')
        .alias('oauth2-clients')
        .description('list OAuth 2.0 clients, one page at a time'),
      'admin',
    )
      .option('--page-size <n>', 'clients per page (default 100, at most 500)', positiveInt)
      .option('--page-token <token>', 'the page to show, from a previous listing')
      .action(async (options: ListOptions) => (await run()).listClients(options)),
    'tollgate list clients -e http://127.0.0.1:4445',
    'tollgate list clients --page-size 50 --page-token <next-page-token> --format json',
  );

  examples(
    addClientFlags(
      remoteCommand(
        update
          .command('client')
          .alias('oauth2-client')
          .argument('<id>', 'client id')
          .description(
            'update an OAuth 2.0 client: only the given flags change, or --file replaces it whole',
          ),
        'admin',
      ),
    ).action(async (id: string, options: ClientOptions) => (await run()).updateClient(id, options)),
    'tollgate update client <client-id> -e http://127.0.0.1:4445 --scope read,write,admin',
    'tollgate update client <client-id> --file client.json',
  );

  examples(
    remoteCommand(
      remove
        .command('client')
        .alias('oauth2-client')
        .argument('<id...>', 'client ids')
        .description('delete OAuth 2.0 clients'),
      'admin',
    ).action(async (ids: string[], options: RemoteOptions) => (await run()).deleteClients(ids, options)),
    'tollgate delete client <client-id> -e http://127.0.0.1:4445',
    'tollgate delete client <client-id-1> <client-id-2>',
  );

  // Hydra's `import oauth2-client <file-1.json> [<file-2.json> ...]`: clients are created, never updated.
  examples(
    remoteCommand(
      importGroup
        .command('client')
        .aliases(['oauth2-client', 'clients', 'oauth2-clients'])
        .argument('[files...]', "JSON files, each one client or an array of clients ('-' or none: stdin)")
        .description('create OAuth 2.0 clients from JSON files or stdin; existing clients are not updated'),
      'admin',
    ).action(async (files: string[], options: RemoteOptions) => (await run()).importClients(files, options)),
    'tollgate import client clients.json -e http://127.0.0.1:4445',
    '# from stdin, e.g. the output of `tollgate get client … --format json` on another server',
    'cat clients.json | tollgate import client -',
  );
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive whole number.');
  return n;
}
