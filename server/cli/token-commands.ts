// `tollgate perform client-credentials`, `introspect token`, `revoke token` and `delete access-tokens`: Hydra's
// token commands and flags, over the SDK. As in Hydra, `--endpoint` is the public URL for perform and revoke.
import type { Command } from 'commander';
import type { IntrospectedToken, TokenResponse } from '../../sdk/index.js';
import type { Printable } from './output.js';
import {
  action,
  adminClient,
  group,
  list,
  output,
  publicClient,
  type RemoteOptions,
  remoteCommand,
} from './remote.js';

interface ClientAuthOptions extends RemoteOptions {
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

/** Client credentials from the flags, else Hydra's OAUTH2_CLIENT_ID / OAUTH2_CLIENT_SECRET. */
function credentials(options: ClientAuthOptions) {
  const clientId = options.clientId ?? process.env.OAUTH2_CLIENT_ID;
  const clientSecret = options.clientSecret ?? process.env.OAUTH2_CLIENT_SECRET;
  if (!clientId) throw new Error('no client id: pass --client-id or set OAUTH2_CLIENT_ID');
  if (clientSecret === undefined)
    throw new Error('no client secret: pass --client-secret or set OAUTH2_CLIENT_SECRET');
  const method = options.tokenEndpointAuthMethod ?? 'client_secret_basic';
  if (method !== 'client_secret_basic' && method !== 'client_secret_post') {
    throw new Error(
      `--token-endpoint-auth-method must be client_secret_basic or client_secret_post, not ${method}`,
    );
  }
  return { clientId, clientSecret, method };
}

function printToken(token: TokenResponse, expiry: Date): Printable {
  return {
    data: { ...token, expiry: expiry.toISOString() },
    table: {
      header: ['ACCESS TOKEN', 'REFRESH TOKEN', 'ID TOKEN', 'EXPIRY'],
      rows: [
        [
          token.access_token,
          token.refresh_token ?? '<empty>',
          token.id_token ?? '<empty>',
          expiry.toISOString(),
        ],
      ],
      single: true,
    },
    ids: [token.access_token],
  };
}

function printIntrospection(info: IntrospectedToken): Printable {
  const expiry = info.exp === undefined ? '' : new Date(info.exp * 1000).toISOString();
  return {
    data: info,
    table: {
      header: ['ACTIVE', 'SUBJECT', 'CLIENT ID', 'SCOPE', 'AUDIENCE', 'EXPIRY', 'TOKEN USE'],
      rows: [
        [
          String(info.active),
          info.sub ?? '',
          info.client_id ?? '',
          info.scope ?? '',
          (info.aud ?? []).join(','),
          expiry,
          info.token_use ?? '',
        ],
      ],
      single: true,
    },
    ids: [String(info.active)],
  };
}

export function registerTokenCommands(program: Command) {
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
    .action(
      action(async (options: ClientAuthOptions & { scope?: string[]; audience?: string[] }) => {
        const started = Date.now();
        const { data } = await publicClient(options, credentials(options)).POST('/oauth2/token', {
          body: {
            grant_type: 'client_credentials',
            scope: options.scope?.join(' '),
            audience: options.audience,
          },
        });
        output(options, printToken(data, new Date(started + data.expires_in * 1000)));
      }),
    );

  remoteCommand(
    group(program, 'introspect', 'introspect resources')
      .command('token')
      .argument('<token>', 'the access or refresh token')
      .description('introspect a token (RFC 7662)'),
    'admin',
  )
    .option('--scope <scopes>', 'also check that these scopes were granted (a,b or repeated)', list)
    .action(
      action(async (token: string, options: RemoteOptions & { scope?: string[] }) => {
        const { data } = await adminClient(options).POST('/admin/oauth2/introspect', {
          body: { token, scope: options.scope?.join(' ') },
        });
        output(options, printIntrospection(data));
      }),
    );

  clientAuthFlags(
    remoteCommand(
      group(program, 'revoke', 'revoke resources')
        .command('token')
        .argument('<token>', 'the access or refresh token')
        .description('revoke a token of the authenticated client (RFC 7009)'),
      'public',
    ),
  ).action(
    action(async (token: string, options: ClientAuthOptions) => {
      await publicClient(options, credentials(options)).POST('/oauth2/revoke', { body: { token } });
      output(options, {
        data: { revoked: true },
        table: { header: ['REVOKED'], rows: [['true']], single: true },
        ids: [],
      });
    }),
  );

  remoteCommand(
    group(program, 'delete', 'delete resources')
      .command('access-tokens')
      .argument('<client-id>', 'the client whose access tokens are deleted')
      .description('delete every access token of an OAuth 2.0 client'),
    'admin',
  ).action(
    action(async (clientId: string, options: RemoteOptions) => {
      await adminClient(options).DELETE('/admin/oauth2/tokens', {
        params: { query: { client_id: clientId } },
      });
      output(options, {
        data: { client_id: clientId },
        table: { header: ['CLIENT ID'], rows: [[clientId]], single: true },
        ids: [clientId],
      });
    }),
  );
}
