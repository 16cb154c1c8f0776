// What the token commands do (declared in token-commands.ts), over the SDK.
import type { IntrospectedToken, TokenResponse } from '../../sdk/index.js';
import type { Printable } from './output.js';
import type { RemoteOptions } from './remote.js';
import { action, adminClient, output, publicClient } from './remote-client.js';
import type { ClientAuthOptions } from './token-commands.js';
import { UsageError } from './usage-error.js';

/** Client credentials from the flags, else Hydra's OAUTH2_CLIENT_ID / OAUTH2_CLIENT_SECRET. */
function credentials(options: ClientAuthOptions) {
  const clientId = options.clientId ?? process.env.OAUTH2_CLIENT_ID;
  const clientSecret = options.clientSecret ?? process.env.OAUTH2_CLIENT_SECRET;
  if (!clientId) throw new UsageError('no client id: pass --client-id or set OAUTH2_CLIENT_ID');
  if (clientSecret === undefined)
    throw new UsageError('no client secret: pass --client-secret or set OAUTH2_CLIENT_SECRET');
  const method = options.tokenEndpointAuthMethod ?? 'client_secret_basic';
  if (method !== 'client_secret_basic' && method !== 'client_secret_post') {
    throw new UsageError(
      `--token-endpoint-auth-method must be client_secret_basic or client_secret_post, not ${method}`,
    );
  }
  return { clientId, clientSecret, method };
}

export function printToken(token: TokenResponse, expiry: Date): Printable {
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

export const performClientCredentials = action(
  async (options: ClientAuthOptions & { scope?: string[]; audience?: string[] }) => {
    const started = Date.now();
    const { data } = await publicClient(options, credentials(options)).POST('/oauth2/token', {
      body: {
        grant_type: 'client_credentials',
        scope: options.scope?.join(' '),
        audience: options.audience,
      },
    });
    output(options, printToken(data, new Date(started + data.expires_in * 1000)));
  },
);

export const introspectToken = action(
  async (token: string, options: RemoteOptions & { scope?: string[] }) => {
    const { data } = await adminClient(options).POST('/admin/oauth2/introspect', {
      body: { token, scope: options.scope?.join(' ') },
    });
    output(options, printIntrospection(data));
  },
);

export const revokeToken = action(async (token: string, options: ClientAuthOptions) => {
  await publicClient(options, credentials(options)).POST('/oauth2/revoke', { body: { token } });
  output(options, {
    data: { revoked: true },
    table: { header: ['REVOKED'], rows: [['true']], single: true },
    ids: [],
  });
});

export const deleteAccessTokens = action(async (clientId: string, options: RemoteOptions) => {
  await adminClient(options).DELETE('/admin/oauth2/tokens', {
    params: { query: { client_id: clientId } },
  });
  output(options, {
    data: { client_id: clientId },
    table: { header: ['CLIENT ID'], rows: [[clientId]], single: true },
    ids: [clientId],
  });
});
