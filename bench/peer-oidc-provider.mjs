// The peer: panva's oidc-provider (OpenID-certified), configured like Tollgate's benchmark setup — one static
// confidential client (client_secret_basic, client_credentials, scope `api`), opaque access tokens, RFC 7662
// introspection, RFC 7591/7592 registration (so a client can be read back), built-in in-memory adapter; and a
// private_key_jwt client (ES256) for the signed-assertion scenario (bench/assertions.mjs).
// For the sign-in flow (bench/flow.mjs): a second client `bench-web` (authorization code + refresh, PKCE,
// client_secret_basic) and two scripted interaction routes standing in for a login and a consent page:
// POST /interaction/:uid/login and POST /interaction/:uid/consent, which accept at once and redirect (303) back
// to /auth/:uid, as a login/consent app calling Tollgate's admin API does.
// Usage: node bench/peer-oidc-provider.mjs --port N --secret S   (prints "listening <url>" on stdout)
import { generateKeyPairSync } from 'node:crypto';
import { parseArgs } from 'node:util';
import Provider from 'oidc-provider';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    secret: { type: 'string', default: 'bench-secret-0123456789abcdef0123456789abcdef' },
    // The public ES256 JWK of the private_key_jwt client (bench/assertions.mjs).
    'client-jwk': { type: 'string' },
  },
});

// oidc-provider signs ID tokens and JWT access tokens with these; opaque tokens never use them. RSA-4096, as
// Hydra (and so Tollgate) generates for hydra.openid.id-token: the flow scenario compares like with like.
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 4096 });
const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'bench', alg: 'RS256', use: 'sig' };

const provider = new Provider('http://127.0.0.1', {
  clients: [
    {
      client_id: 'bench-web',
      client_secret: values.secret,
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: ['http://127.0.0.1:9/cb'],
      scope: 'openid offline_access',
      token_endpoint_auth_method: 'client_secret_basic',
    },
    {
      client_id: 'bench',
      client_secret: values.secret,
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      scope: 'api',
      token_endpoint_auth_method: 'client_secret_basic',
    },
    ...(values['client-jwk']
      ? [
          {
            client_id: 'bench-pkjwt',
            grant_types: ['client_credentials'],
            response_types: [],
            redirect_uris: [],
            scope: 'api',
            token_endpoint_auth_method: 'private_key_jwt',
            token_endpoint_auth_signing_alg: 'ES256',
            jwks: { keys: [JSON.parse(values['client-jwk'])] },
          },
        ]
      : []),
  ],
  scopes: ['api', 'openid', 'offline_access'],
  jwks: { keys: [jwk] },
  ttl: { ClientCredentials: 3600 },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    // Any authenticated confidential client may introspect (the default policy, set to silence its notice).
    introspection: {
      enabled: true,
      allowedPolicy: async (ctx, client, token) =>
        !(client.clientAuthMethod === 'none' && token.clientId !== ctx.oidc.client.clientId),
    },
    revocation: {
      enabled: true,
      allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId,
    },
    registration: { enabled: true, initialAccessToken: 'bench-iat' },
    registrationManagement: { enabled: true },
  },
});

// The login and consent "apps": in-process calls where Tollgate's are admin API round trips (see flow.mjs).
provider.use(async (ctx, next) => {
  const route = /^\/interaction\/([^/]+)\/(login|consent)$/.exec(ctx.path);
  if (!route || ctx.method !== 'POST') return next();
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  let result;
  if (route[2] === 'login') {
    result = { login: { accountId: 'foo@bar.com' } };
  } else {
    const { prompt, params, session, grantId } = details;
    const grant = grantId
      ? await provider.Grant.find(grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    const missing = prompt.details;
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {}))
      grant.addResourceScope(indicator, scopes.join(' '));
    result = { consent: { grantId: await grant.save() } };
  }
  ctx.respond = false;
  await provider.interactionFinished(ctx.req, ctx.res, result, { mergeWithLastSubmission: true });
});

const server = provider.listen(Number(values.port), '127.0.0.1');
server.on('listening', () => {
  process.stdout.write(`listening http://127.0.0.1:${server.address().port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
