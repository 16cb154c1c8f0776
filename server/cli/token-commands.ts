// `tollgate perform client-credentials`, `perform authorization-code`, `introspect token`, `revoke token` and
// `delete access-tokens`: Hydra's token commands and flags, declared here; token-actions.ts and
// authorization-code-action.ts run them. As in Hydra, `--endpoint` is the public URL for perform and revoke.
import { type Command, InvalidArgumentError } from 'commander';
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

export interface AuthorizationCodeOptions extends RemoteOptions {
  clientId?: string;
  clientSecret?: string;
  port: number;
  scope?: string[];
  prompt?: string[];
  maxAge?: number;
  redirect?: string;
  audience?: string[];
  authUrl?: string;
  tokenUrl?: string;
  /** False with --no-open. */
  open: boolean;
  responseMode?: string;
  state?: string;
  /** False with --no-shutdown. */
  shutdown: boolean;
}

/** A whole number in [min, max], for numeric flags; commander turns the thrown error into a usage error. */
function integer(flag: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || n < min || n > max) {
      throw new InvalidArgumentError(`${flag} must be a whole number from ${min} to ${max}`);
    }
    return n;
  };
}

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
      group(program, 'perform', 'perform OAuth 2.0 flows')
        .command('authorization-code')
        .summary('sign in through a browser with the authorization code flow and PKCE')
        .description(
          'sign in through a browser with the authorization code flow and PKCE (RFC 6749 §4.1, RFC 7636): a ' +
            'callback server on 127.0.0.1 receives the code and prints the tokens; for trying a setup out, ' +
            'not for applications',
        ),
      'public',
      { format: 'json' },
    )
      .option('--client-id <id>', 'the OAuth 2.0 client id (default: $OAUTH2_CLIENT_ID)')
      .option(
        '--client-secret <secret>',
        'the client secret (default: $OAUTH2_CLIENT_SECRET); without one the client is public and PKCE alone protects the code',
      )
      .option(
        '-p, --port <port>',
        'the port of the callback server on 127.0.0.1',
        integer('--port', 1, 65535),
        4446,
      )
      .option('--scope <scopes>', 'scopes to request, a,b or repeated (default: offline,openid)', list)
      .option('--prompt <values>', 'the OpenID Connect prompt parameter (none, login, consent)', list)
      .option(
        '--max-age <seconds>',
        'the OpenID Connect max_age parameter',
        integer('--max-age', 0, 2 ** 31 - 1),
      )
      .option('--redirect <url>', 'the redirect URI to send (default: http://127.0.0.1:<port>/callback)')
      .option('--audience <audiences>', 'audiences to request (a,b or repeated)', list)
      .option('--auth-url <url>', 'the authorization endpoint (default: <endpoint>/oauth2/auth)')
      .option('--token-url <url>', 'the token endpoint (default: <endpoint>/oauth2/token)')
      .option('--no-open', 'do not open a browser (it is opened only when stderr is a terminal)')
      .option('--response-mode <mode>', 'query, fragment or form_post (default: the server chooses)')
      .option('--state <state>', 'a fixed state value instead of a random one (insecure, for tests)')
      .option(
        '--no-shutdown',
        'keep the callback server running after a flow ends; state, nonce and PKCE verifier are new each time',
      )
      .action(async (options: AuthorizationCodeOptions) =>
        (await import('./authorization-code-action.js')).performAuthorizationCode(options),
      ),
    'tollgate perform authorization-code -e http://127.0.0.1:4444 --client-id <id> --client-secret <secret>',
    '# the client needs the redirect URI http://127.0.0.1:4446/callback; -q prints only the access token',
    'tollgate perform authorization-code -e http://127.0.0.1:4444 --client-id <id> --scope openid,offline --no-open',
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
