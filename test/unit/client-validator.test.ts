import { expect } from 'chai';
import {
  formatCreatedAt,
  formatUpdatedAt,
  readClient,
  readLifespans,
  renderClient,
  toStoredForm,
} from '../../server/clients/client-codec.js';
import { type ClientValidatorOptions, validateClient } from '../../server/clients/client-policy.js';
import { hostname, parseRequestUri, parseUrl, port } from '../../server/clients/go-url.js';
import {
  type ApiError,
  BadRequestError,
  InvalidClientMetadata,
  InvalidRedirectUri,
} from '../../server/oauth2/errors.js';
import { GUIDE_CREATE_RESPONSE_KEYS, HYDRA_STORED_ARRAYS } from '../helpers/hydra.js';

const validate = (input: Record<string, unknown>, options?: ClientValidatorOptions) => {
  const { client, secret } = readClient(input);
  return validateClient(client, secret, options);
};

/** Runs `fn` and returns the ApiError it throws. */
function caught(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (err) {
    return err as ApiError;
  }
  throw new Error('expected an error');
}

const metadataError = (input: Record<string, unknown>, hint: string) => {
  const err = caught(() => validate(input));
  expect(err).to.be.instanceOf(InvalidClientMetadata);
  expect(err.status).to.equal(400);
  expect(err.error).to.equal('invalid_client_metadata');
  expect(err.description.endsWith(` ${hint}`), err.description).to.equal(true);
};

const redirectError = (input: Record<string, unknown>, hint: string) => {
  const err = caught(() => validate(input));
  expect(err).to.be.instanceOf(InvalidRedirectUri);
  expect(err.error).to.equal('invalid_redirect_uri');
  expect(err.toJSON().error_description).to.equal(
    `The value of one or more redirect_uris is invalid. ${hint}`,
  );
};

describe('client validation (Hydra client/validator.go)', () => {
  describe('defaults', () => {
    it('fills in what Hydra fills in', () => {
      const c = validate({});
      expect(c).to.include({
        client_id: '',
        scope: 'offline_access offline openid',
        token_endpoint_auth_method: 'client_secret_basic',
        userinfo_signed_response_alg: 'none',
        subject_type: 'public',
        access_token_strategy: '',
        skip_consent: false,
        skip_logout_consent: null,
      });
      // BeforeSave forces these two arrays and metadata; the other arrays stay unset (null).
      expect(c.audience).to.deep.equal([]);
      expect(c.allowed_cors_origins).to.deep.equal([]);
      expect(c.metadata).to.deep.equal({});
      expect(c.redirect_uris).to.equal(null);
      expect(c.grant_types).to.equal(null);
      expect(c.contacts).to.equal(null);
      expect(c.jwks).to.equal(null);
      expect(c.client_credentials_grant_access_token_lifespan).to.equal(null);
    });

    it('takes the configured default scope and subject types', () => {
      expect(validate({}, { defaultScope: 'a b' }).scope).to.equal('a b');
      expect(validate({}, { subjectTypesSupported: ['pairwise'] }).subject_type).to.equal('pairwise');
    });

    it('treats null like an absent field, as Go decoding does', () => {
      const c = validate({
        client_name: null,
        redirect_uris: null,
        skip_consent: null,
        metadata: null,
        jwks: null,
      });
      expect(c).to.include({ client_name: '', skip_consent: false });
      expect(c.redirect_uris).to.equal(null);
      expect(c.metadata).to.deep.equal({});
    });
  });

  describe('JSON types', () => {
    it('answers 400 with Go decoding messages for wrong types', () => {
      const err = caught(() => validate({ client_name: 5 }));
      expect(err).to.be.instanceOf(BadRequestError);
      expect(err.description).to.equal(
        'Unable to decode the request body: json: cannot unmarshal number into Go struct field Client.client_name of type string',
      );
      expect(caught(() => validate({ redirect_uris: 'https://a' }))).to.be.instanceOf(BadRequestError);
      expect(caught(() => validate({ redirect_uris: [1] }))).to.be.instanceOf(BadRequestError);
      expect(caught(() => validate({ skip_consent: 'yes' }))).to.be.instanceOf(BadRequestError);
      expect(caught(() => validate({ metadata: [] }))).to.be.instanceOf(BadRequestError);
      expect(caught(() => readClient([]))).to.be.instanceOf(BadRequestError);
    });
  });

  describe('client_id', () => {
    it("is at most 255 characters, which Hydra's column holds (an id no request could authenticate with)", () => {
      metadataError({ client_id: 'x'.repeat(256) }, 'Field client_id must be at most 255 characters long.');
      expect(() => validate({ client_id: 'x'.repeat(255) })).not.to.throw();
      expect(() => validate({ client_id: '😀'.repeat(255) })).not.to.throw();
    });
  });

  describe('client_secret', () => {
    it('needs at least 6 characters when set', () => {
      metadataError(
        { client_secret: 'short' },
        'Field client_secret must contain a secret that is at least 6 characters long.',
      );
      expect(() => validate({ client_secret: 'sixsix' })).not.to.throw();
      expect(() => validate({ client_secret: '' })).not.to.throw();
    });

    it('counts bytes like Go', () => {
      expect(() => validate({ client_secret: 'ééé' })).not.to.throw(); // 6 bytes
    });
  });

  describe('redirect_uris', () => {
    it('accepts absolute URIs and absolute paths', () => {
      const c = validate({
        redirect_uris: ['https://app.example/cb', 'http://localhost:8080/cb?x=1', '/relative', 'myapp:cb'],
      });
      expect(c.redirect_uris).to.have.length(4);
    });

    it('refuses fragments', () => {
      redirectError(
        { redirect_uris: ['https://app.example/cb#x'] },
        'Redirect URIs must not contain fragments (#).',
      );
    });

    it('refuses what url.ParseRequestURI refuses', () => {
      redirectError({ redirect_uris: ['relative/cb'] }, 'Unable to parse redirect URL: relative/cb');
      redirectError({ redirect_uris: ['https://a b/cb'] }, 'Unable to parse redirect URL: https://a b/cb');
      redirectError({ redirect_uris: ['https://a:x/cb'] }, 'Unable to parse redirect URL: https://a:x/cb');
      redirectError({ redirect_uris: [''] }, 'Unable to parse redirect URL: ');
      redirectError({ redirect_uris: ['https://a/%zz'] }, 'Unable to parse redirect URL: https://a/%zz');
    });
  });

  describe('allowed_cors_origins', () => {
    it('keeps http(s) origins and strips a trailing slash', () => {
      const c = validate({
        allowed_cors_origins: ['https://app.example', 'http://localhost:3000/', 'HTTPS://Upper.example'],
      });
      expect(c.allowed_cors_origins).to.deep.equal([
        'https://app.example',
        'http://localhost:3000',
        'https://Upper.example',
      ]);
    });

    it('refuses other schemes, user info, paths, queries and fragments', () => {
      metadataError(
        { allowed_cors_origins: ['ftp://a.example'] },
        'Origin URL ftp://a.example must use https:// or http:// as HTTP scheme.',
      );
      metadataError(
        { allowed_cors_origins: ['https://u:p@a.example'] },
        'Origin URL https://u:p@a.example has HTTP user and/or password set which is not allowed.',
      );
      for (const origin of ['https://a.example/path', 'https://a.example?q=1', 'https://a.example#f']) {
        metadataError(
          { allowed_cors_origins: [origin] },
          `Origin URL ${origin} must have an empty path, query, and fragment but one of the parts is not empty.`,
        );
      }
      const err = caught(() => validate({ allowed_cors_origins: ['https://a b'] }));
      expect(err).to.be.instanceOf(InvalidClientMetadata);
      expect(err.description).to.contain(
        'Origin URL https://a b from allowed_cors_origins could not be parsed: parse "https://a b": invalid character " " in host name',
      );
    });
  });

  describe('tos_uri', () => {
    it('must be an http(s) URI when set', () => {
      expect(validate({ tos_uri: 'https://example.org/tos' }).tos_uri).to.equal('https://example.org/tos');
      metadataError(
        { tos_uri: "javascript:alert('XSS')" },
        "tos_uri javascript:alert('XSS') must use https:// or http:// as HTTP scheme.",
      );
      metadataError({ tos_uri: 'not a uri' }, 'Field tos_uri must be a valid URI.');
    });
  });

  describe('subject_type', () => {
    it('is public or pairwise', () => {
      expect(validate({ subject_type: 'pairwise' }).subject_type).to.equal('pairwise');
      metadataError(
        { subject_type: 'other' },
        'Subject type other is not supported by server, only [public pairwise] are allowed.',
      );
    });
  });

  describe('jwks, jwks_uri and private_key_jwt', () => {
    const rsa = { kty: 'RSA', n: 'AQAB', e: 'AQAB', kid: 'k1' };

    it('refuses both at once', () => {
      metadataError(
        { jwks: { keys: [rsa] }, jwks_uri: 'https://a.example/jwks' },
        'Fields jwks and jwks_uri can not both be set, you must choose one.',
      );
    });

    it('reads {} as no key set, so GET output can be sent back', () => {
      expect(validate({ jwks: {}, jwks_uri: 'https://a.example/jwks' }).jwks).to.equal(null);
    });

    it('needs jwks or jwks_uri for private_key_jwt, and a supported algorithm', () => {
      metadataError(
        { token_endpoint_auth_method: 'private_key_jwt' },
        "When token_endpoint_auth_method is 'private_key_jwt', either jwks or jwks_uri must be set.",
      );
      expect(() =>
        validate({ token_endpoint_auth_method: 'private_key_jwt', jwks_uri: 'https://a.example/jwks' }),
      ).not.to.throw();
      metadataError(
        {
          token_endpoint_auth_method: 'private_key_jwt',
          jwks: { keys: [rsa] },
          token_endpoint_auth_signing_alg: 'HS256',
        },
        'Only RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384 and ES512 are supported as algorithms for private key authentication.',
      );
    });

    it('refuses keys without their key material', () => {
      metadataError({ jwks: { keys: [{ kty: 'RSA', n: 'AQAB' }] } }, 'Invalid JSON web key in set.');
      metadataError({ jwks: { keys: [{ kty: 'nope' }] } }, 'Invalid JSON web key in set.');
    });
  });

  describe('userinfo_signed_response_alg', () => {
    it('is none or RS256', () => {
      expect(validate({ userinfo_signed_response_alg: 'RS256' }).userinfo_signed_response_alg).to.equal(
        'RS256',
      );
      metadataError(
        { userinfo_signed_response_alg: 'ES256' },
        "Field userinfo_signed_response_alg can either be 'none' or 'RS256'.",
      );
    });
  });

  describe('access_token_strategy', () => {
    it('is jwt or opaque, case-insensitive, stored lowercase', () => {
      expect(validate({ access_token_strategy: 'JWT' }).access_token_strategy).to.equal('jwt');
      expect(validate({ access_token_strategy: 'Opaque' }).access_token_strategy).to.equal('opaque');
      metadataError(
        { access_token_strategy: 'paseto' },
        'invalid access token strategy: expected one of [jwt, opaque] but got paseto',
      );
    });
  });

  describe('post_logout_redirect_uris', () => {
    it('must share scheme, host and port with a redirect URI', () => {
      expect(() =>
        validate({
          redirect_uris: ['https://app.example/cb'],
          post_logout_redirect_uris: ['https://app.example/bye'],
        }),
      ).not.to.throw();
      metadataError(
        {
          redirect_uris: ['https://app.example/cb'],
          post_logout_redirect_uris: ['https://app.example:8443/bye'],
        },
        'post_logout_redirect_uri "https://app.example:8443/bye" must match the domain, port, scheme of at least one of the registered redirect URIs but did not',
      );
      metadataError(
        { redirect_uris: ['https://app.example/cb'], post_logout_redirect_uris: ['http://app.example/bye'] },
        'post_logout_redirect_uri "http://app.example/bye" must match the domain, port, scheme of at least one of the registered redirect URIs but did not',
      );
    });
  });

  describe('lifespans', () => {
    it('are stored in Go canonical form', () => {
      const c = validate({
        client_credentials_grant_access_token_lifespan: '90m',
        implicit_grant_id_token_lifespan: '1.5s',
      });
      expect(c.client_credentials_grant_access_token_lifespan).to.equal('1h30m0s');
      expect(c.implicit_grant_id_token_lifespan).to.equal('1.5s');
    });

    it('refuses what time.ParseDuration refuses, as a decoding error', () => {
      const err = caught(() => validate({ client_credentials_grant_access_token_lifespan: '1d' }));
      expect(err).to.be.instanceOf(BadRequestError);
      expect(err.description).to.equal(
        'Unable to decode the request body: time: unknown unit "d" in duration "1d"',
      );
      expect(caught(() => readLifespans({ jwt_bearer_grant_access_token_lifespan: '' }))).to.be.instanceOf(
        BadRequestError,
      );
    });

    it('refuses negative durations', () => {
      expect(
        caught(() => validate({ client_credentials_grant_access_token_lifespan: '-1h' })),
      ).to.be.instanceOf(InvalidClientMetadata);
    });
  });

  it('forces client_secret_expires_at to 0', () => {
    const c = validate({ client_secret_expires_at: 12345 });
    const out = renderClient(c, { created_at: new Date(0), updated_at: new Date(0) });
    expect(out.client_secret_expires_at).to.equal(0);
  });

  describe('rendering', () => {
    const at = new Date('2025-11-07T12:00:00.123Z');

    it('orders keys like Hydra and omits empty omitempty fields', () => {
      const out = renderClient(validate({ client_name: 'svc' }), { created_at: at, updated_at: at });
      // The guide's order, without what only a create response carries (the secret, the registration pair) and
      // the fields that are omitted when empty (access_token_strategy).
      const createOnly = [
        'client_secret',
        'registration_access_token',
        'registration_client_uri',
        'access_token_strategy',
      ];
      expect(Object.keys(out)).to.deep.equal(
        GUIDE_CREATE_RESPONSE_KEYS.filter((k) => !createOnly.includes(k)),
      );
      expect(out.jwks).to.deep.equal({});
    });

    it('places every optional field where Hydra declares it', () => {
      const out = renderClient(
        validate({
          redirect_uris: ['https://a.example/cb'],
          sector_identifier_uri: 'https://a.example/sector',
          jwks_uri: 'https://a.example/jwks',
          token_endpoint_auth_signing_alg: 'RS256',
          request_uris: ['https://a.example/req'],
          request_object_signing_alg: 'RS256',
          frontchannel_logout_uri: 'https://a.example/fc',
          frontchannel_logout_session_required: true,
          post_logout_redirect_uris: ['https://a.example/bye'],
          backchannel_logout_uri: 'https://a.example/bc',
          backchannel_logout_session_required: true,
          access_token_strategy: 'jwt',
        }),
        {
          created_at: at,
          updated_at: at,
          client_secret: 'secret',
          registration_access_token: 't',
          registration_client_uri: 'u',
        },
      );
      const keys = Object.keys(out);
      const order = [
        'client_name',
        'client_secret',
        'redirect_uris',
        'subject_type',
        'sector_identifier_uri',
        'jwks_uri',
        'jwks',
        'token_endpoint_auth_method',
        'token_endpoint_auth_signing_alg',
        'request_uris',
        'request_object_signing_alg',
        'userinfo_signed_response_alg',
        'created_at',
        'updated_at',
        'frontchannel_logout_uri',
        'frontchannel_logout_session_required',
        'post_logout_redirect_uris',
        'backchannel_logout_uri',
        'backchannel_logout_session_required',
        'metadata',
        'registration_access_token',
        'registration_client_uri',
        'access_token_strategy',
        'skip_consent',
      ];
      expect(order.map((k) => keys.indexOf(k))).to.deep.equal(
        [...order.map((k) => keys.indexOf(k))].sort((a, b) => a - b),
      );
      expect(order.every((k) => keys.includes(k))).to.equal(true);
    });

    it('stores unset arrays as [] and omits empty request_uris and post_logout_redirect_uris', () => {
      const out = renderClient(toStoredForm(validate({})), { created_at: at, updated_at: at });
      for (const k of HYDRA_STORED_ARRAYS) {
        expect(out, k).to.have.deep.property(k, []);
      }
      expect(out).not.to.have.property('request_uris');
      expect(out).not.to.have.property('post_logout_redirect_uris');
    });

    it('formats created_at in whole seconds and updated_at with six fractional digits', () => {
      expect(formatCreatedAt(new Date('2025-11-07T12:00:00.000Z'))).to.equal('2025-11-07T12:00:00Z');
      expect(formatUpdatedAt(at)).to.equal('2025-11-07T12:00:00.123000Z');
    });
  });
});

describe('Go net/url subset', () => {
  it('parses like url.ParseRequestURI', () => {
    const u = parseRequestUri('HTTPS://user@Host.example:8443/p%20q?x=1#not-a-fragment');
    expect(u).to.include({
      scheme: 'https',
      user: 'user',
      host: 'Host.example:8443',
      rawQuery: 'x=1#not-a-fragment',
    });
    expect(hostname(u)).to.equal('Host.example');
    expect(port(u)).to.equal('8443');
    expect(hostname(parseRequestUri('http://[::1]:80/'))).to.equal('::1');
    expect(port(parseRequestUri('http://[::1]/'))).to.equal('');
    expect(parseRequestUri('mailto:a@b').opaque).to.equal('a@b');
    expect(() => parseRequestUri(':x')).to.throw(/missing protocol scheme/);
    expect(() => parseRequestUri('a\nb')).to.throw(/invalid control character/);
    expect(() => parseRequestUri('x')).to.throw(/invalid URI for request/);
  });

  it('splits the fragment like url.Parse', () => {
    expect(parseUrl('https://a.example/p#frag')).to.include({ path: '/p', fragment: 'frag' });
    expect(() => parseUrl('https://a.example/#%zz')).to.throw(/invalid URL escape "%zz"/);
  });
});
