// OpenID Connect discovery (Hydra's `oauth2/handler.go` discoverOidcConfiguration): Hydra's fields in Hydra's
// order, with what Tollgate supports.
import { expect } from 'chai';
import { discoveryDocument } from '../../server/http/public/well-known.js';
import { call } from '../helpers/api.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

describe('GET /.well-known/openid-configuration', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it('lists the browser-flow grants, S256 only, no request objects, in the order of Hydra’s struct', async () => {
    const { status, body, text } = await call(server, 'discoverOidcConfiguration');
    expect(status).to.equal(200);
    const publicUrl = server.config.publicUrl.replace(/\/+$/, '');
    expect(body).to.deep.include({
      issuer: 'http://127.0.0.1:4444/',
      authorization_endpoint: `${publicUrl}/oauth2/auth`,
      token_endpoint: `${publicUrl}/oauth2/token`,
      userinfo_endpoint: `${publicUrl}/userinfo`,
      jwks_uri: 'http://127.0.0.1:4444/.well-known/jwks.json',
      grant_types_supported: [
        'authorization_code',
        'implicit',
        'client_credentials',
        'refresh_token',
        'urn:ietf:params:oauth:grant-type:device_code',
        'urn:ietf:params:oauth:grant-type:jwt-bearer',
      ],
      response_types_supported: [
        'code',
        'code id_token',
        'id_token',
        'token id_token',
        'token',
        'token id_token code',
      ],
      response_modes_supported: ['query', 'fragment', 'form_post'],
      claims_supported: ['sub'],
      scopes_supported: ['offline_access', 'offline', 'openid'],
      subject_types_supported: ['public'],
      code_challenge_methods_supported: ['S256'],
      request_parameter_supported: false,
      request_uri_parameter_supported: false,
      id_token_signing_alg_values_supported: ['RS256'],
      userinfo_signing_alg_values_supported: ['none', 'RS256'],
      token_endpoint_auth_methods_supported: [
        'client_secret_basic',
        'client_secret_post',
        'private_key_jwt',
        'none',
      ],
      token_endpoint_auth_signing_alg_values_supported: [
        'RS256',
        'RS384',
        'RS512',
        'PS256',
        'PS384',
        'PS512',
        'ES256',
        'ES384',
        'ES512',
      ],
    });
    // Go writes struct fields in declaration order (oauth2/handler.go oidcConfiguration).
    const order = Object.keys(JSON.parse(text));
    expect(order).to.deep.equal([
      'issuer',
      'authorization_endpoint',
      'device_authorization_endpoint',
      'token_endpoint',
      'jwks_uri',
      'subject_types_supported',
      'response_types_supported',
      'claims_supported',
      'grant_types_supported',
      'response_modes_supported',
      'userinfo_endpoint',
      'scopes_supported',
      'token_endpoint_auth_methods_supported',
      'userinfo_signing_alg_values_supported',
      'id_token_signing_alg_values_supported',
      'id_token_signed_response_alg',
      'userinfo_signed_response_alg',
      'request_parameter_supported',
      'request_uri_parameter_supported',
      'require_request_uri_registration',
      'claims_parameter_supported',
      'revocation_endpoint',
      'backchannel_logout_supported',
      'backchannel_logout_session_supported',
      'frontchannel_logout_supported',
      'frontchannel_logout_session_supported',
      'end_session_endpoint',
      'request_object_signing_alg_values_supported',
      'code_challenge_methods_supported',
      'token_endpoint_auth_signing_alg_values_supported',
    ]);
    expect((await call(server, 'discoverOAuth2AuthorizationServer')).text).to.equal(text);
  });

  it('reads webfinger.oidc_discovery.* from the configuration', async () => {
    const configured = await startTestServer({
      'webfinger.oidc_discovery.supported_claims': ['email', 'name'],
      'webfinger.oidc_discovery.supported_scope': ['email'],
    });
    try {
      const { body } = await call(configured, 'discoverOidcConfiguration');
      expect(body.claims_supported).to.deep.equal(['sub', 'email', 'name']);
      expect(body.scopes_supported).to.deep.equal(['offline_access', 'offline', 'openid', 'email']);
    } finally {
      await configured.close();
    }
  });

  it('adds webfinger.oidc_discovery.supported_claims and supported_scope after the fixed entries, once each', () => {
    const doc = discoveryDocument('https://id.example/', 'https://id.example/', {
      supportedClaims: ['email', 'sub', 'name'],
      supportedScope: ['email', 'openid', 'profile'],
    });
    expect(doc.claims_supported).to.deep.equal(['sub', 'email', 'name']);
    expect(doc.scopes_supported).to.deep.equal(['offline_access', 'offline', 'openid', 'email', 'profile']);
  });
});
