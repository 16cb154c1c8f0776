// `tollgate perform client-credentials`, `introspect token`, `revoke token` and `delete access-tokens`: Hydra's
// token commands and flags, declared here; token-actions.ts runs them over the SDK. As in Hydra, `--endpoint` is
// the public URL for perform and revoke.
import type { Command } from 'commander';
import { examples } from './examples.js';
import { group, list, type RemoteOptions, remoteCommand } from './remote.js';

export interface ClientAuthOptions extends RemoteOptions {
  clientId?: string;
  clientSecret?: string;
  tokenEndpointAuthMethod?: 'client_secret_basic' | 'client_secret_post';
}

function clientAuthFlags(cmd: Command): Command {
  return cmd
    .option('--client-id <id>', 'the OAuth 2.0 client id (default: $OAUTH2_CLIENT_ID)')
    .option('--client-secret <secret>', 'the OAuth 2.0 client secret (default: $OAUTH2_CLIENT_SECRET)')
    .option('--token-endpoint-auth-method <method>', 'client_secret_basic (default) or client_secret_post');
}

const run = () => import('./token-actions.js');

export function registerTokenCommands(program: Command) {
  examples(
    clientAuthFlags(
      remoteCommand(
        group(program, 'perform', 'perform OAuth 2.0 flows')
          .command('client-credentials')
          .description('get an access token with the client credentials grant (RFC 6749 §4.4)'),
        'public',
      ),
    )
      .option('--scope <scopes>', 'scopes to request (a,b or repeated)', list)
      .option('--audience <audiences>', 'audiences to request (a,b or repeated)', list)
      .action(async (options) => (await run()).performClientCredentials(options)),
    'tollgate perform client-credentials -e http://127.0.0.1:4444 --client-id <id> --client-secret <secret> --scope read',
    '# credentials from $OAUTH2_CLIENT_ID and $OAUTH2_CLIENT_SECRET; -q prints only the access token',
    'TOKEN=$(tollgate perform client-credentials -e http://127.0.0.1:4444 --audience https://api.example -q)',
  );

  examples(
    remoteCommand(
      group(program, 'introspect', 'introspect resources')
        .command('token')
        .argument('<token>', 'the access or refresh token')
        .description('introspect a token (RFC 7662)'),
      'admin',
    )
      .option('--scope <scopes>', 'also check that these scopes were granted (a,b or repeated)', list)
      .action(async (token: string, options) => (await run()).introspectToken(token, options)),
    'tollgate introspect token <token> -e http://127.0.0.1:4445',
    'tollgate introspect token <token> --scope read --format json',
  );

  examples(
    clientAuthFlags(
      remoteCommand(
        group(program, 'revoke', 'revoke resources')
          .command('token')
          .argument('<token>', 'the access or refresh token')
          .description('revoke a token of the authenticated client (RFC 7009)'),
        'public',
      ),
    ).action(async (token: string, options: ClientAuthOptions) => (await run()).revokeToken(token, options)),
    'tollgate revoke token <token> -e http://127.0.0.1:4444 --client-id <id> --client-secret <secret>',
  );

  examples(
    remoteCommand(
      group(program, 'delete', 'delete resources')
        .command('access-tokens')
        .argument('<client-id>', 'the client whose access tokens are deleted')
        .description('delete every access token of an OAuth 2.0 client'),
      'admin',
    ).action(async (clientId: string, options: RemoteOptions) =>
      (await run()).deleteAccessTokens(clientId, options),
    ),
    'tollgate delete access-tokens <client-id> -e http://127.0.0.1:4445',
  );
}
