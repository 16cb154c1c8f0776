// Synth tests of the construct library: the Terraform JSON each construct generates, and the synth-time
// validation messages. test/cdktf/core-switch.test.ts runs this same file again on the cdktn fork.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { expect } from 'chai';
import {
  BrowserAppClient,
  l1,
  MachineClient,
  OAuth2Client,
  type OAuth2ClientProps,
  TollgateProvider,
  type TollgateProviderProps,
  WebAppClient,
} from 'tollgate/cdktf';

/** Which core this process runs on: test/helpers/cdktn.mjs swaps it. */
const CORE = process.env.TOLLGATE_CDK_CORE === 'cdktn' ? 'cdktn' : 'cdktf';

function newStack(provider: TollgateProviderProps | null = {}): TerraformStack {
  const stack = new TerraformStack(Testing.app(), 'clients');
  if (provider) new TollgateProvider(stack, 'tollgate', provider);
  return stack;
}

/** A Terraform interpolation as it appears in the JSON: `${expression}`. */
const tf = (expression: string): string => `\${${expression}}`;

const synth = (stack: TerraformStack): any => JSON.parse(Testing.synth(stack, true));

/** The attributes of one resource, without cdktf's `//` metadata. */
function resource(json: any, type: string, name: string): Record<string, unknown> {
  const { '//': _, ...attributes } = json.resource?.[type]?.[name] ?? {};
  return attributes;
}

function synthError(build: (stack: TerraformStack) => void): string {
  const stack = newStack();
  build(stack);
  try {
    Testing.synth(stack, true);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('synth succeeded but should have failed');
}

describe(`cdktf constructs: synthesized configuration (on ${CORE})`, () => {
  it(`runs on ${CORE} (the stack metadata names its version)`, () => {
    const require = createRequire(import.meta.url);
    const { version } = JSON.parse(readFileSync(require.resolve(`${CORE}/package.json`), 'utf8'));
    const stack = new TerraformStack(Testing.app({ stubVersion: false }), 'clients');
    new TollgateProvider(stack, 'tollgate');
    const outdir = Testing.fullSynth(stack);
    const json = JSON.parse(readFileSync(`${outdir}/stacks/clients/cdk.tf.json`, 'utf8'));
    expect(json['//'].metadata.version).to.equal(version);
  });

  describe('TollgateProvider', () => {
    it('writes the provider block and the required provider source', () => {
      const json = synth(
        newStack({ endpoint: 'http://127.0.0.1:4445', headers: { 'X-Tenant': 'a' }, retries: 3 }),
      );
      expect(json.provider.tollgate).to.deep.equal([
        { endpoint: 'http://127.0.0.1:4445', headers: { 'X-Tenant': 'a' }, retries: 3 },
      ]);
      expect(json.terraform.required_providers.tollgate).to.deep.equal({ source: 'tollgate/tollgate' });
    });

    it('leaves out what is not set (the provider then reads TOLLGATE_ADMIN_URL and TOLLGATE_ADMIN_TOKEN)', () => {
      expect(synth(newStack()).provider.tollgate).to.deep.equal([{}]);
    });

    it('an aliased second provider is used by the clients given it', () => {
      const stack = newStack();
      const other = new TollgateProvider(stack, 'eu', { endpoint: 'https://eu.example:4445', alias: 'eu' });
      new OAuth2Client(stack, 'c', { provider: other });
      const json = synth(stack);
      expect(json.provider.tollgate).to.deep.equal([
        {},
        { endpoint: 'https://eu.example:4445', alias: 'eu' },
      ]);
      expect(json.resource.tollgate_oauth2_client.c.provider).to.equal('tollgate.eu');
    });
  });

  describe('OAuth2Client', () => {
    it('maps every prop to the agreed attribute (Hydra JSON names)', () => {
      const stack = newStack();
      const props: Required<
        Omit<OAuth2ClientProps, 'provider' | 'clientSecretWo' | 'clientSecretWoVersion'>
      > = {
        clientId: 'web',
        clientName: 'Web app',
        owner: 'team-a',
        scopes: ['openid', 'offline_access', 'invoices.read'],
        audience: ['https://api.example.com'],
        grantTypes: ['authorization_code', 'refresh_token'],
        responseTypes: ['code', 'code id_token'],
        redirectUris: ['https://app.example.com/cb', 'com.example.app:/cb'],
        postLogoutRedirectUris: ['https://app.example.com/bye'],
        allowedCorsOrigins: ['https://app.example.com'],
        contacts: ['ops@example.com'],
        requestUris: ['https://app.example.com/req'],
        tokenEndpointAuthMethod: 'client_secret_post',
        tokenEndpointAuthSigningAlg: 'ES256',
        jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y' }] },
        jwksUri: 'https://app.example.com/jwks.json',
        accessTokenStrategy: 'jwt',
        subjectType: 'pairwise',
        sectorIdentifierUri: 'https://app.example.com/sector.json',
        policyUri: 'https://app.example.com/policy',
        tosUri: 'https://app.example.com/tos',
        clientUri: 'https://app.example.com',
        logoUri: 'https://app.example.com/logo.png',
        requestObjectSigningAlg: 'RS256',
        userinfoSignedResponseAlg: 'RS256',
        frontchannelLogoutUri: 'https://app.example.com/fc',
        frontchannelLogoutSessionRequired: true,
        backchannelLogoutUri: 'https://app.example.com/bc',
        backchannelLogoutSessionRequired: true,
        skipConsent: true,
        skipLogoutConsent: false,
        metadata: { team: 'a', tier: 1 },
        lifespans: { clientCredentialsGrantAccessToken: '15m', authorizationCodeGrantRefreshToken: '720h' },
        clientSecret: 'a-long-enough-secret',
      };
      // jwks and jwksUri together are refused by the validation; check the mapping on the L1 output only.
      const client = new OAuth2Client(stack, 'web', props);
      expect(resource(JSON.parse(Testing.synth(stack)), 'tollgate_oauth2_client', 'web')).to.deep.equal({
        client_id: 'web',
        client_name: 'Web app',
        owner: 'team-a',
        scope: 'openid offline_access invoices.read',
        audience: ['https://api.example.com'],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code', 'code id_token'],
        redirect_uris: ['https://app.example.com/cb', 'com.example.app:/cb'],
        post_logout_redirect_uris: ['https://app.example.com/bye'],
        allowed_cors_origins: ['https://app.example.com'],
        contacts: ['ops@example.com'],
        request_uris: ['https://app.example.com/req'],
        token_endpoint_auth_method: 'client_secret_post',
        token_endpoint_auth_signing_alg: 'ES256',
        jwks: '{"keys":[{"kty":"EC","crv":"P-256","x":"x","y":"y"}]}',
        jwks_uri: 'https://app.example.com/jwks.json',
        access_token_strategy: 'jwt',
        subject_type: 'pairwise',
        sector_identifier_uri: 'https://app.example.com/sector.json',
        policy_uri: 'https://app.example.com/policy',
        tos_uri: 'https://app.example.com/tos',
        client_uri: 'https://app.example.com',
        logo_uri: 'https://app.example.com/logo.png',
        request_object_signing_alg: 'RS256',
        userinfo_signed_response_alg: 'RS256',
        frontchannel_logout_uri: 'https://app.example.com/fc',
        frontchannel_logout_session_required: true,
        backchannel_logout_uri: 'https://app.example.com/bc',
        backchannel_logout_session_required: true,
        skip_consent: true,
        skip_logout_consent: false,
        metadata: '{"team":"a","tier":1}',
        client_credentials_grant_access_token_lifespan: '15m',
        authorization_code_grant_refresh_token_lifespan: '720h',
        client_secret: 'a-long-enough-secret',
      });
      expect(client.node.defaultChild).to.equal(client.resource);
    });

    it('sets nothing the props leave unset (the server and provider fill their defaults)', () => {
      const stack = newStack();
      new OAuth2Client(stack, 'bare');
      expect(resource(synth(stack), 'tollgate_oauth2_client', 'bare')).to.deep.equal({});
    });

    it('sends a write-only secret with its version and nothing in client_secret', () => {
      const stack = newStack();
      new OAuth2Client(stack, 'c', {
        grantTypes: ['client_credentials'],
        clientSecretWo: 'from-a-vault-123',
        clientSecretWoVersion: 2,
      });
      expect(resource(synth(stack), 'tollgate_oauth2_client', 'c')).to.deep.equal({
        grant_types: ['client_credentials'],
        client_secret_wo: 'from-a-vault-123',
        client_secret_wo_version: 2,
      });
    });

    it('exposes client id and secret as references, and creates no outputs', () => {
      const stack = newStack();
      const api = new OAuth2Client(stack, 'api');
      // Another client's audience is this client's id: the reference shows up as an interpolation.
      new OAuth2Client(stack, 'caller', {
        audience: [api.clientId],
        metadata: { secretOf: api.clientSecret },
      });
      const json = synth(stack);
      expect(resource(json, 'tollgate_oauth2_client', 'caller')).to.deep.equal({
        audience: [tf('tollgate_oauth2_client.api.client_id')],
        metadata: `{"secretOf":"${tf('tollgate_oauth2_client.api.client_secret')}"}`,
      });
      expect(json.output).to.equal(undefined);
    });

    it('takes scopes from a variable (a token) and joins them in Terraform', () => {
      const stack = newStack();
      const scopes = new TerraformVariable(stack, 'scopes', { type: 'list(string)' });
      new OAuth2Client(stack, 'c', { scopes: scopes.listValue });
      expect(resource(synth(stack), 'tollgate_oauth2_client', 'c')).to.deep.equal({
        scope: tf('join(" ", var.scopes)'),
      });
    });

    it('fromClientId reads an existing client through the data source', () => {
      const stack = newStack();
      const existing = OAuth2Client.fromClientId(stack, 'legacy', 'legacy-client');
      new OAuth2Client(stack, 'c', { audience: [existing.clientId] });
      const json = synth(stack);
      const { '//': _, ...data } = json.data.tollgate_oauth2_client.legacy;
      expect(data).to.deep.equal({ client_id: 'legacy-client' });
      expect(resource(json, 'tollgate_oauth2_client', 'c').audience).to.deep.equal([
        tf('data.tollgate_oauth2_client.legacy.client_id'),
      ]);
      expect(json.resource.tollgate_oauth2_client.legacy).to.equal(undefined);
    });

    it('fullSynth writes the stack directory Terraform runs in', () => {
      const stack = newStack({ endpoint: 'http://127.0.0.1:4445' });
      new MachineClient(stack, 'm');
      const outdir = Testing.fullSynth(stack);
      const json = JSON.parse(readFileSync(`${outdir}/stacks/clients/cdk.tf.json`, 'utf8'));
      expect(Object.keys(json.resource.tollgate_oauth2_client)).to.deep.equal(['m']);
    });
  });

  describe('MachineClient', () => {
    it('is a client_credentials client with client_secret_basic and no browser settings', () => {
      const stack = newStack();
      new MachineClient(stack, 'billing', {
        scopes: ['invoices.read'],
        audience: ['https://api.example.com'],
      });
      expect(resource(synth(stack), 'tollgate_oauth2_client', 'billing')).to.deep.equal({
        grant_types: ['client_credentials'],
        token_endpoint_auth_method: 'client_secret_basic',
        scope: 'invoices.read',
        audience: ['https://api.example.com'],
      });
    });

    it('takes the auth method, token lifespan and strategy', () => {
      const stack = newStack();
      new MachineClient(stack, 'm', {
        clientId: 'reports',
        authMethod: 'client_secret_post',
        accessTokenLifespan: '5m',
        accessTokenStrategy: 'jwt',
      });
      expect(resource(synth(stack), 'tollgate_oauth2_client', 'm')).to.deep.equal({
        client_id: 'reports',
        grant_types: ['client_credentials'],
        token_endpoint_auth_method: 'client_secret_post',
        client_credentials_grant_access_token_lifespan: '5m',
        access_token_strategy: 'jwt',
      });
    });
  });

  describe('WebAppClient', () => {
    it('is a confidential code + refresh client with client_secret_basic and openid offline_access', () => {
      const stack = newStack();
      new WebAppClient(stack, 'portal', { redirectUris: ['https://portal.example.com/callback'] });
      expect(resource(synth(stack), 'tollgate_oauth2_client', 'portal')).to.deep.equal({
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: ['https://portal.example.com/callback'],
        scope: 'openid offline_access',
        token_endpoint_auth_method: 'client_secret_basic',
      });
    });

    it('takes the auth method, scopes, secret and client details', () => {
      const stack = newStack();
      new WebAppClient(stack, 'p', {
        clientId: 'portal',
        clientName: 'Portal',
        authMethod: 'client_secret_post',
        scopes: ['openid', 'offline_access', 'email'],
        clientSecret: 'portal-secret-0123',
        redirectUris: ['https://portal.example.com/callback', 'http://127.0.0.1:3000/callback'],
        postLogoutRedirectUris: ['https://portal.example.com/'],
        lifespans: { authorizationCodeGrantRefreshToken: '720h' },
      });
      expect(resource(synth(stack), 'tollgate_oauth2_client', 'p')).to.deep.equal({
        client_id: 'portal',
        client_name: 'Portal',
        client_secret: 'portal-secret-0123',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: ['https://portal.example.com/callback', 'http://127.0.0.1:3000/callback'],
        post_logout_redirect_uris: ['https://portal.example.com/'],
        scope: 'openid offline_access email',
        token_endpoint_auth_method: 'client_secret_post',
        authorization_code_grant_refresh_token_lifespan: '720h',
      });
    });

    it('refuses a public auth method and a missing redirect URI', () => {
      expect(
        synthError(
          (stack) =>
            new WebAppClient(stack, 'w', {
              redirectUris: ['https://a.example/cb'],
              authMethod: 'none' as any,
            }),
        ),
      ).to.contain(
        '[clients/w] authMethod is "none"; allowed: client_secret_basic, client_secret_post, private_key_jwt',
      );
      expect(synthError((stack) => new WebAppClient(stack, 'w', { redirectUris: [] }))).to.contain(
        '[clients/w] redirectUris is not set; the authorization code flow needs at least one redirect URI',
      );
      expect(
        synthError(
          (stack) =>
            new WebAppClient(stack, 'w', {
              redirectUris: ['https://a.example/cb'],
              authMethod: 'private_key_jwt',
            }),
        ),
      ).to.contain(
        '[clients/w] tokenEndpointAuthMethod is "private_key_jwt" but neither jwks nor jwksUri is set',
      );
    });
  });

  describe('BrowserAppClient', () => {
    it('is a public code + refresh client (auth method none) with CORS origins', () => {
      const stack = newStack();
      new BrowserAppClient(stack, 'spa', {
        redirectUris: ['https://app.example.com/callback'],
        allowedCorsOrigins: ['https://app.example.com'],
      });
      expect(resource(synth(stack), 'tollgate_oauth2_client', 'spa')).to.deep.equal({
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: ['https://app.example.com/callback'],
        allowed_cors_origins: ['https://app.example.com'],
        scope: 'openid offline_access',
        token_endpoint_auth_method: 'none',
      });
    });

    it('accepts https, an app scheme and http on a loopback IP (RFC 8252 §7)', () => {
      const stack = newStack();
      new BrowserAppClient(stack, 'native', {
        redirectUris: [
          'https://app.example.com/callback',
          'com.example.app:/oauth2redirect',
          'http://127.0.0.1/callback',
          'http://127.0.0.1:8400/callback',
          'http://[::1]/callback',
        ],
      });
      expect(() => synth(stack)).not.to.throw();
    });

    const refused: [string, string, string][] = [
      [
        'http on a host name',
        'http://app.example.com/cb',
        'a public client may use http only on a loopback IP (http://127.0.0.1 or http://[::1], any port; RFC 8252 §7.3)',
      ],
      ['http on localhost', 'http://localhost:8080/cb', 'a public client may use http only on a loopback IP'],
      ['a javascript: URI', 'javascript:alert(1)', 'whose scheme "javascript" names no app'],
      ['a data: URI', 'data:text/html,hi', 'whose scheme "data" names no app'],
    ];
    for (const [what, uri, message] of refused) {
      it(`refuses ${what} as a redirect URI`, () => {
        const error = synthError(
          (stack) => new BrowserAppClient(stack, 'spa', { redirectUris: ['https://ok.example/cb', uri] }),
        );
        expect(error).to.contain(`[clients/spa] redirectUris[1] is ${JSON.stringify(uri)}`);
        expect(error).to.contain(message);
      });
    }

    it('refuses a missing redirect URI and a redirect URI with a fragment', () => {
      expect(synthError((stack) => new BrowserAppClient(stack, 'spa', {} as any))).to.contain(
        '[clients/spa] redirectUris is not set',
      );
      expect(
        synthError((stack) => new BrowserAppClient(stack, 'spa', { redirectUris: ['https://a.example/#x'] })),
      ).to.contain('must not contain a fragment');
    });

    it('skips redirect URIs known only at apply time', () => {
      const stack = newStack();
      const uri = new TerraformVariable(stack, 'uri', { type: 'string' });
      new BrowserAppClient(stack, 'spa', { redirectUris: [uri.stringValue] });
      expect(() => synth(stack)).not.to.throw();
    });
  });

  describe('L1 bindings', () => {
    it('tollgate_jwk_set', () => {
      const stack = newStack();
      const set = new l1.JwkSet(stack, 'signing', { setId: 'my-app', alg: 'ES256', use: 'sig', kid: 'k1' });
      new OAuth2Client(stack, 'c', { metadata: { keys: set.keys } });
      const json = synth(stack);
      expect(resource(json, 'tollgate_jwk_set', 'signing')).to.deep.equal({
        set_id: 'my-app',
        alg: 'ES256',
        use: 'sig',
        kid: 'k1',
      });
      expect(resource(json, 'tollgate_oauth2_client', 'c').metadata).to.equal(
        `{"keys":"${tf('tollgate_jwk_set.signing.keys')}"}`,
      );
    });

    it('tollgate_oauth2_client takes the lifespans and the write-only pair by their schema names', () => {
      const stack = newStack();
      new l1.Oauth2Client(stack, 'raw', {
        deviceAuthorizationGrantRefreshTokenLifespan: '1h',
        clientSecretWo: 'abcdefgh',
        clientSecretWoVersion: 1,
        skipLogoutConsent: true,
      });
      expect(resource(synth(stack), 'tollgate_oauth2_client', 'raw')).to.deep.equal({
        device_authorization_grant_refresh_token_lifespan: '1h',
        client_secret_wo: 'abcdefgh',
        client_secret_wo_version: 1,
        skip_logout_consent: true,
      });
    });

    it('config stays mutable until synthesis, like generated bindings', () => {
      const stack = newStack();
      const client = new OAuth2Client(stack, 'c');
      client.resource.config.clientName = 'patched';
      expect(resource(synth(stack), 'tollgate_oauth2_client', 'c')).to.deep.equal({ client_name: 'patched' });
    });
  });

  describe('HCL output (cdktf synth --hcl)', () => {
    it('renders every construct as HCL', () => {
      const stack = newStack({ endpoint: 'http://127.0.0.1:4445', headers: { 'X-Tenant': 'a' }, retries: 2 });
      new TollgateProvider(stack, 'eu', { alias: 'eu' });
      const billing = new MachineClient(stack, 'billing', {
        scopes: ['a', 'b'],
        accessTokenLifespan: '15m',
        clientSecretWo: 'abcdefgh',
        clientSecretWoVersion: 1,
      });
      const legacy = OAuth2Client.fromClientId(stack, 'legacy', 'legacy');
      new OAuth2Client(stack, 'c', { audience: [billing.clientId, legacy.clientId], skipConsent: true });
      new l1.JwkSet(stack, 'k', { setId: 's', alg: 'ES256' });
      const hcl = Testing.synthHcl(stack, true) as string;
      const squashed = hcl.replace(/\s+/g, ' ');
      for (const part of [
        'provider "tollgate" { endpoint = "http://127.0.0.1:4445" headers = { X-Tenant = "a" } retries = 2 }',
        'provider "tollgate" { alias = "eu" }',
        'resource "tollgate_oauth2_client" "billing" { scope = "a b" token_endpoint_auth_method = "client_secret_basic" grant_types = [ "client_credentials" ] client_credentials_grant_access_token_lifespan = "15m" client_secret_wo = "abcdefgh" client_secret_wo_version = 1 }',
        'data "tollgate_oauth2_client" "legacy" { client_id = "legacy" }',
        `resource "tollgate_oauth2_client" "c" { audience = [ "${tf('tollgate_oauth2_client.billing.client_id')}", "${tf('data.tollgate_oauth2_client.legacy.client_id')}" ] skip_consent = true }`,
        'resource "tollgate_jwk_set" "k" { set_id = "s" alg = "ES256" }',
      ]) {
        expect(squashed).to.contain(part);
      }
    });
  });

  describe('validation at synth time', () => {
    const AUTH = 'client_secret_basic, client_secret_post, private_key_jwt, none';
    const cases: Array<[string, OAuth2ClientProps, string]> = [
      [
        'an unknown grant type',
        { grantTypes: ['client_credentials', 'password' as any] },
        'grantTypes[1] is "password"; allowed: authorization_code, implicit, refresh_token, client_credentials, urn:ietf:params:oauth:grant-type:jwt-bearer, urn:ietf:params:oauth:grant-type:device_code',
      ],
      [
        'an unknown auth method',
        { tokenEndpointAuthMethod: 'client_secret_jwt' as any },
        `tokenEndpointAuthMethod is "client_secret_jwt"; allowed: ${AUTH}`,
      ],
      [
        'a relative redirect URI',
        { redirectUris: ['/callback'] },
        'redirectUris[0] is "/callback", which is not an absolute URI',
      ],
      [
        'a redirect URI with a fragment',
        { redirectUris: ['https://app/cb#x'] },
        'redirectUris[0] is "https://app/cb#x"; a redirect URI must not contain a fragment (#)',
      ],
      [
        'a CORS origin with a path',
        { allowedCorsOrigins: ['https://app.example.com/x'] },
        'allowedCorsOrigins[0] is "https://app.example.com/x"; an origin has no user, path, query or fragment (e.g. "https://app.example.com")',
      ],
      [
        'a policy URI that is no URL',
        { policyUri: 'policy.html' },
        'policyUri is "policy.html", which is not an absolute URL; expected a https:// or http:// URL',
      ],
      [
        'an http sector identifier',
        { sectorIdentifierUri: 'http://app/sector.json' },
        'sectorIdentifierUri is "http://app/sector.json", whose scheme is "http"; expected a https:// URL',
      ],
      [
        'a lifespan in the wrong syntax',
        { lifespans: { clientCredentialsGrantAccessToken: '1 hour' } },
        'lifespans.clientCredentialsGrantAccessToken is "1 hour"; expected a non-negative Go duration such as "1h", "30m", "1h30m" or "90s" (units ns, us, ms, s, m, h)',
      ],
      [
        'a lifespan too long for a Go duration (int64 nanoseconds), which the server refuses',
        { lifespans: { clientCredentialsGrantAccessToken: '99999999999h' } },
        'lifespans.clientCredentialsGrantAccessToken is "99999999999h"; expected a non-negative Go duration',
      ],
      [
        'a negative lifespan',
        { lifespans: { implicitGrantIdToken: '-1h' } },
        'lifespans.implicitGrantIdToken is "-1h"; expected a non-negative Go duration',
      ],
      [
        'an unknown lifespan',
        { lifespans: { clientCredentialsAccessToken: '1h' } as any },
        'lifespans.clientCredentialsAccessToken is not a lifespan; allowed: authorizationCodeGrantAccessToken,',
      ],
      [
        'a scope with a space',
        { scopes: ['read write'] },
        `scopes[0] is "read write"; a scope is one or more printable ASCII characters without space, '"' or '\\' (RFC 6749 §3.3)`,
      ],
      ['an empty scope', { scopes: ['read', ''] }, 'scopes[1] is ""; a scope is one or more'],
      [
        'a short secret',
        { clientSecret: 'abc' },
        'clientSecret is 3 bytes long; a client secret needs at least 6',
      ],
      [
        'a short write-only secret',
        { clientSecretWo: 'abcde', clientSecretWoVersion: 1 },
        'clientSecretWo is 5 bytes long; a client secret needs at least 6',
      ],
      [
        'both secrets',
        { clientSecret: 'abcdefgh', clientSecretWo: 'abcdefgh', clientSecretWoVersion: 1 },
        'clientSecret and clientSecretWo are both set; give one (clientSecretWo keeps the secret out of state)',
      ],
      [
        'a write-only secret without version',
        { clientSecretWo: 'abcdefgh' },
        'clientSecretWo is set without clientSecretWoVersion; set a version (e.g. 1) and bump it to rotate the secret',
      ],
      [
        'a public client_credentials client',
        { grantTypes: ['client_credentials'], tokenEndpointAuthMethod: 'none' },
        'grantTypes includes "client_credentials" but tokenEndpointAuthMethod is "none": a public client cannot use client_credentials',
      ],
      [
        'a secret on a public client',
        { tokenEndpointAuthMethod: 'none', clientSecret: 'abcdefgh' },
        'a client secret is given but tokenEndpointAuthMethod is "none", which does not use one; allowed with a secret: client_secret_basic, client_secret_post',
      ],
      [
        'private_key_jwt without keys',
        { tokenEndpointAuthMethod: 'private_key_jwt' },
        'tokenEndpointAuthMethod is "private_key_jwt" but neither jwks nor jwksUri is set; give one of them',
      ],
      [
        'jwks and jwksUri together',
        { jwks: { keys: [] }, jwksUri: 'https://app/jwks' },
        'jwks and jwksUri are both set; give one of them',
      ],
      [
        'an unknown access token strategy',
        { accessTokenStrategy: 'paseto' as any },
        'accessTokenStrategy is "paseto"; allowed: jwt, opaque',
      ],
      [
        'an unknown response type',
        { responseTypes: ['code', 'code idtoken'] },
        'responseTypes[1] is "code idtoken"; allowed: code, token, id_token, a space-separated combination of them, or none',
      ],
      [
        'a post-logout redirect on another host',
        {
          redirectUris: ['https://app.example.com/cb'],
          postLogoutRedirectUris: ['https://evil.example.com/bye'],
        },
        'postLogoutRedirectUris[0] is "https://evil.example.com/bye"; it must have the scheme, host and port of one of redirectUris (https://app.example.com)',
      ],
      [
        'an empty scope list',
        { scopes: [] },
        "scopes is an empty list; leave it unset for the server's default scope, or list at least one",
      ],
      [
        'a blank client id',
        { clientId: ' ' },
        'clientId is " "; leave it unset to let the server choose, or give a non-blank value',
      ],
    ];
    for (const [what, props, message] of cases) {
      it(`refuses ${what}`, () => {
        const error = synthError((stack) => new OAuth2Client(stack, 'bad', props));
        expect(error).to.contain(`[clients/bad] ${message}`);
      });
    }

    it('reports every problem at once, each with the construct path', () => {
      const error = synthError((stack) => {
        new OAuth2Client(stack, 'one', { grantTypes: ['passwd' as any] });
        new MachineClient(stack, 'two', { clientSecret: 'x' });
      });
      expect(error).to.contain('[clients/one] grantTypes[0] is "passwd"');
      expect(error).to.contain('[clients/two] clientSecret is 1 bytes long');
    });

    it('MachineClient names its own props', () => {
      const error = synthError((stack) => new MachineClient(stack, 'm', { authMethod: 'none' as any }));
      expect(error).to.contain(
        '[clients/m] authMethod is "none"; allowed: client_secret_basic, client_secret_post, private_key_jwt',
      );
      expect(
        synthError((stack) => new MachineClient(stack, 'm', { accessTokenLifespan: '15 minutes' })),
      ).to.contain('[clients/m] lifespans.clientCredentialsGrantAccessToken is "15 minutes"');
    });

    it('checks the provider settings', () => {
      const stack = newStack({ endpoint: 'localhost:4445', retries: -1, headers: { 'Bad Header': 'x' } });
      expect(() => Testing.synth(stack, true))
        .to.throw()
        .with.property('message')
        .that.contains(
          '[clients/tollgate] endpoint is "localhost:4445", whose scheme is "localhost"; expected a https:// or http:// URL',
        )
        .and.contains('[clients/tollgate] retries is -1; expected a whole number ≥ 0')
        .and.contains(
          '[clients/tollgate] headers has the key "Bad Header", which is not an HTTP header name',
        );
    });

    it('fromClientId refuses a blank id', () => {
      const error = synthError((stack) => OAuth2Client.fromClientId(stack, 'x', ''));
      expect(error).to.contain('[clients/x] clientId is ""; leave it unset');
    });

    it('skips values known only at apply time', () => {
      const stack = newStack();
      const name = new TerraformVariable(stack, 'uri', { type: 'string' });
      new OAuth2Client(stack, 'c', { redirectUris: [name.stringValue], policyUri: name.stringValue });
      expect(() => synth(stack)).not.to.throw();
    });

    it('accepts a complete valid client', () => {
      const stack = newStack();
      new OAuth2Client(stack, 'web', {
        grantTypes: ['authorization_code', 'refresh_token'],
        responseTypes: ['code', 'none'],
        redirectUris: ['https://app.example.com/cb', 'http://127.0.0.1:8080/cb'],
        allowedCorsOrigins: ['https://app.example.com/'],
        scopes: ['openid', 'offline_access', 'urn:example:read'],
        lifespans: { authorizationCodeGrantAccessToken: '1h30m', refreshTokenGrantRefreshToken: '0' },
        clientSecret: '123456',
      });
      expect(() => synth(stack)).not.to.throw();
    });
  });
});
