import { expect } from 'chai';
import {
  authenticateClient,
  type ClientAuthenticationDeps,
  parseBasicAuthorization,
  queryUnescape,
} from '../../server/oauth2/client-authentication.js';
import { InvalidClient, InvalidRequest, type OAuth2Error } from '../../server/oauth2/errors.js';
import type { Form } from '../../server/oauth2/form.js';
import { basic, clientLookup, fakeUnknownClientHash, makeClient } from '../helpers/oauth2-clients.js';

const INVALID_CLIENT = new InvalidClient().toJSON();
const INVALID_REQUEST_DESCRIPTION = new InvalidRequest().description;

const basicClient = makeClient({
  client_id: 'basic-client',
  token_endpoint_auth_method: 'client_secret_basic',
});
const postClient = makeClient({ client_id: 'post-client', token_endpoint_auth_method: 'client_secret_post' });
const defaultClient = makeClient({ client_id: 'default-client', token_endpoint_auth_method: undefined });
const publicClient = makeClient({ client_id: 'public-client', token_endpoint_auth_method: 'none' }, null);
const spacedClient = makeClient(
  { client_id: 'my client', token_endpoint_auth_method: 'client_secret_basic' },
  'p+w d:é',
);

function deps(overrides: Partial<ClientAuthenticationDeps> = {}) {
  const verified: string[] = [];
  const d: ClientAuthenticationDeps = {
    clients: clientLookup(basicClient, postClient, defaultClient, publicClient, spacedClient),
    async verifySecret(secret, hash) {
      verified.push(secret);
      return hash === `hash:${secret}`;
    },
    unknownClientHash: fakeUnknownClientHash,
    ...overrides,
  };
  return { deps: d, verified };
}

async function fails(request: { authorization?: string; form: Form }, d = deps().deps): Promise<OAuth2Error> {
  try {
    await authenticateClient(request, d);
  } catch (error) {
    return error as OAuth2Error;
  }
  throw new Error('expected authentication to fail');
}

describe('client authentication (fosite DefaultClientAuthenticationStrategy, RFC 6749 §2.3.1)', () => {
  describe('client_secret_basic', () => {
    it('authenticates with the header', async () => {
      const client = await authenticateClient(
        { authorization: basic('basic-client', 'secret-123'), form: {} },
        deps().deps,
      );
      expect(client.client_id).to.equal('basic-client');
    });

    it('treats an unset method as client_secret_basic', async () => {
      const client = await authenticateClient(
        { authorization: basic('default-client', 'secret-123'), form: {} },
        deps().deps,
      );
      expect(client.client_id).to.equal('default-client');
    });

    it('form-unescapes id and secret (url.QueryUnescape: + is a space)', async () => {
      const { deps: d, verified } = deps();
      const client = await authenticateClient({ authorization: basic('my client', 'p+w d:é'), form: {} }, d);
      expect(client.client_id).to.equal('my client');
      expect(verified).to.deep.equal(['p+w d:é']);
    });

    it('reads a literal + in the header as a space', async () => {
      const header = `Basic ${Buffer.from('my+client:p%2Bw+d%3A%C3%A9').toString('base64')}`;
      const client = await authenticateClient({ authorization: header, form: {} }, deps().deps);
      expect(client.client_id).to.equal('my client');
    });

    it('accepts the scheme name case-insensitively', async () => {
      const header = basic('basic-client', 'secret-123').replace('Basic', 'bAsIc');
      expect((await authenticateClient({ authorization: header, form: {} }, deps().deps)).client_id).to.equal(
        'basic-client',
      );
    });

    it('rejects a malformed %-escape in the id with invalid_request', async () => {
      const header = `Basic ${Buffer.from('bad%zz:secret-123').toString('base64')}`;
      const error = await fails({ authorization: header, form: {} });
      expect(error).to.be.instanceOf(InvalidRequest);
      expect(error.status).to.equal(400);
      expect(error.toJSON().error_description).to.equal(
        `${INVALID_REQUEST_DESCRIPTION} The client id in the HTTP authorization header could not be decoded from 'application/x-www-form-urlencoded'.`,
      );
    });

    it('rejects a malformed %-escape in the secret with invalid_request', async () => {
      const header = `Basic ${Buffer.from('basic-client:abc%4').toString('base64')}`;
      const error = await fails({ authorization: header, form: {} });
      expect(error).to.be.instanceOf(InvalidRequest);
      expect(error.toJSON().error_description).to.match(/The client secret in the HTTP authorization header/);
    });

    it('rejects a wrong secret with a bare invalid_client (401)', async () => {
      const error = await fails({ authorization: basic('basic-client', 'wrong'), form: {} });
      expect(error).to.be.instanceOf(InvalidClient);
      expect(error.status).to.equal(401);
      expect(error.toJSON()).to.deep.equal(INVALID_CLIENT);
    });

    it('rejects an empty secret without hashing it', async () => {
      const { deps: d, verified } = deps();
      const error = await fails({ authorization: basic('basic-client', ''), form: {} }, d);
      expect(error.toJSON()).to.deep.equal(INVALID_CLIENT);
      expect(verified).to.deep.equal([]);
    });

    it('rejects an unknown client with invalid_client', async () => {
      const error = await fails({ authorization: basic('nobody', 'secret-123'), form: {} });
      expect(error.toJSON()).to.deep.equal(INVALID_CLIENT);
    });

    it('rejects basic auth for a client_secret_post client, naming both methods', async () => {
      const error = await fails({ authorization: basic('post-client', 'secret-123'), form: {} });
      expect(error).to.be.instanceOf(InvalidClient);
      expect(error.toJSON().error_description).to.equal(
        `${INVALID_CLIENT.error_description} The OAuth 2.0 Client supports client authentication method 'client_secret_post', but method 'client_secret_basic' was requested. You must configure the OAuth 2.0 client's 'token_endpoint_auth_method' value to accept 'client_secret_basic'.`,
      );
    });

    it('accepts a body client_id next to the header when the body has no secret', async () => {
      const client = await authenticateClient(
        { authorization: basic('basic-client', 'secret-123'), form: { client_id: 'basic-client' } },
        deps().deps,
      );
      expect(client.client_id).to.equal('basic-client');
    });

    it('uses the header credentials, not the body client_id', async () => {
      const client = await authenticateClient(
        { authorization: basic('basic-client', 'secret-123'), form: { client_id: 'post-client' } },
        deps().deps,
      );
      expect(client.client_id).to.equal('basic-client');
    });

    it('rejects a secret in both header and body, whatever the method', async () => {
      for (const id of ['basic-client', 'post-client']) {
        const error = await fails({
          authorization: basic(id, 'secret-123'),
          form: { client_id: id, client_secret: 'secret-123' },
        });
        expect(error, id).to.be.instanceOf(InvalidClient);
      }
    });

    it('falls back to the body when the header is not valid basic credentials', async () => {
      for (const authorization of [
        'Bearer abc',
        'Basic !!!',
        `Basic ${Buffer.from('no-colon').toString('base64')}`,
        'Basic YmFzaWMtY2xpZW50OnNlY3JldC0xMjM', // unpadded: Go's StdEncoding refuses it
      ]) {
        const error = await fails({ authorization, form: {} });
        expect(error.toJSON().error_description, authorization).to.equal(
          `${INVALID_REQUEST_DESCRIPTION} Client credentials missing or malformed in both HTTP Authorization header and HTTP POST body.`,
        );
      }
    });
  });

  describe('client_secret_post', () => {
    it('authenticates with the body', async () => {
      const client = await authenticateClient(
        { form: { client_id: 'post-client', client_secret: 'secret-123' } },
        deps().deps,
      );
      expect(client.client_id).to.equal('post-client');
    });

    it('uses the first value of a repeated parameter', async () => {
      const client = await authenticateClient(
        { form: { client_id: ['post-client', 'basic-client'], client_secret: ['secret-123', 'x'] } },
        deps().deps,
      );
      expect(client.client_id).to.equal('post-client');
    });

    it('does not unescape body values again', async () => {
      const error = await fails({ form: { client_id: 'post-client', client_secret: 'secret%2D123' } });
      expect(error.toJSON()).to.deep.equal(INVALID_CLIENT);
    });

    it('rejects body credentials for a client_secret_basic client, naming both methods', async () => {
      const error = await fails({ form: { client_id: 'basic-client', client_secret: 'secret-123' } });
      expect(error.status).to.equal(401);
      expect(error.toJSON().error_description).to.equal(
        `${INVALID_CLIENT.error_description} The OAuth 2.0 Client supports client authentication method 'client_secret_basic', but method 'client_secret_post' was requested. You must configure the OAuth 2.0 client's 'token_endpoint_auth_method' value to accept 'client_secret_post'.`,
      );
    });

    it('rejects a wrong secret', async () => {
      const error = await fails({ form: { client_id: 'post-client', client_secret: 'nope' } });
      expect(error.toJSON()).to.deep.equal(INVALID_CLIENT);
    });

    it('rejects a client_id without a secret', async () => {
      const error = await fails({ form: { client_id: 'post-client' } });
      expect(error.toJSON()).to.deep.equal(INVALID_CLIENT);
    });

    it('asks for credentials when there are none', async () => {
      const error = await fails({ form: { grant_type: 'client_credentials' } });
      expect(error).to.be.instanceOf(InvalidRequest);
      expect(error.status).to.equal(400);
      expect(error.toJSON().error_description).to.match(/Client credentials missing or malformed/);
    });
  });

  describe('none (public clients)', () => {
    it('authenticates by client_id alone, without a secret check', async () => {
      const { deps: d, verified } = deps();
      const client = await authenticateClient({ form: { client_id: 'public-client' } }, d);
      expect(client.client_id).to.equal('public-client');
      expect(verified).to.deep.equal([]);
    });

    it('accepts basic with an empty password', async () => {
      const client = await authenticateClient(
        { authorization: basic('public-client', ''), form: {} },
        deps().deps,
      );
      expect(client.client_id).to.equal('public-client');
    });

    it('rejects basic with a password, without a hint (no secret of it can have verified)', async () => {
      const error = await fails({ authorization: basic('public-client', 'x'), form: {} });
      expect(error.toJSON()).to.deep.equal(INVALID_CLIENT);
    });

    it('rejects a body secret, without a hint', async () => {
      const error = await fails({ form: { client_id: 'public-client', client_secret: 'x' } });
      expect(error.toJSON()).to.deep.equal(INVALID_CLIENT);
    });

    it('names the methods for a public client whose stored secret verified', async () => {
      const withSecret = makeClient({ client_id: 'public-with-secret', token_endpoint_auth_method: 'none' });
      const { deps: d } = deps({ clients: clientLookup(withSecret) });
      const error = await fails({ authorization: basic('public-with-secret', 'secret-123'), form: {} }, d);
      expect(error.toJSON().error_description).to.match(/supports client authentication method 'none'/);
    });
  });

  describe('enumeration (issue 15, finding 6)', () => {
    it('gives an unknown id and a known id with a wrong secret the same answer, whatever the method', async () => {
      const answers = await Promise.all([
        fails({ authorization: basic('nobody', 'guess'), form: {} }),
        fails({ form: { client_id: 'nobody', client_secret: 'guess' } }),
        fails({ authorization: basic('basic-client', 'guess'), form: {} }),
        // The wrong method as well as the wrong secret: fosite would name the client's method here.
        fails({ form: { client_id: 'basic-client', client_secret: 'guess' } }),
        fails({ authorization: basic('post-client', 'guess'), form: {} }),
        fails({ authorization: basic('public-client', 'guess'), form: {} }),
      ]);
      for (const answer of answers) expect(answer.toJSON()).to.deep.equal(INVALID_CLIENT);
    });

    it('checks the secret of an unknown id against a hash all the same', async () => {
      const { deps: d, verified } = deps();
      await fails({ authorization: basic('nobody', 'guess-1'), form: {} }, d);
      await fails({ form: { client_id: 'nobody', client_secret: 'guess-2' } }, d);
      await fails({ form: { client_id: 'public-client', client_secret: 'guess-3' } }, d);
      expect(verified).to.deep.equal(['guess-1', 'guess-2', 'guess-3']);
    });

    it('refuses a client id longer than 255 characters before looking it up', async () => {
      const looked: string[] = [];
      const { deps: d } = deps({
        clients: {
          async get(id) {
            looked.push(id);
            return null;
          },
        },
      });
      const long = 'x'.repeat(256);
      for (const request of [
        { authorization: basic(long, 'secret-123'), form: {} },
        { form: { client_id: long, client_secret: 'secret-123' } },
        { form: { client_id: 'x'.repeat(100) + '😀'.repeat(156), client_secret: 'secret-123' } },
      ]) {
        expect((await fails(request, d)).toJSON()).to.deep.equal(INVALID_CLIENT);
      }
      expect(looked).to.deep.equal([]);
      // 255 characters (astral ones count once, as in PostgreSQL) are looked up as usual.
      await fails({ form: { client_id: 'x'.repeat(255), client_secret: 's' } }, d);
      await fails({ form: { client_id: '😀'.repeat(255), client_secret: 's' } }, d);
      expect(looked).to.have.length(2);
    });
  });

  describe('client assertions', () => {
    it('answers invalid_request for private_key_jwt, which is not supported', async () => {
      const error = await fails({
        form: {
          client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
          client_assertion: 'a.b.c',
        },
      });
      expect(error).to.be.instanceOf(InvalidRequest);
      expect(error.toJSON().error_description).to.equal(
        `${INVALID_REQUEST_DESCRIPTION} Client authentication method 'private_key_jwt' is not supported by this server.`,
      );
    });

    it('answers invalid_request for an unknown assertion type, before looking at basic credentials', async () => {
      const error = await fails({
        authorization: basic('basic-client', 'secret-123'),
        form: { client_assertion_type: 'saml' },
      });
      expect(error.toJSON().error_description).to.equal(
        `${INVALID_REQUEST_DESCRIPTION} Unknown client_assertion_type 'saml'.`,
      );
    });
  });

  describe('dependency failures', () => {
    it('lets a client store error through unchanged', async () => {
      const outage = new Error('connection refused');
      const { deps: d } = deps({ clients: { get: () => Promise.reject(outage) } });
      expect(await fails({ authorization: basic('basic-client', 'secret-123'), form: {} }, d)).to.equal(
        outage,
      );
    });

    it('lets a hasher error through unchanged', async () => {
      const broken = new Error('hasher exploded');
      const { deps: d } = deps({ verifySecret: () => Promise.reject(broken) });
      expect(await fails({ authorization: basic('basic-client', 'secret-123'), form: {} }, d)).to.equal(
        broken,
      );
    });
  });

  describe('helpers', () => {
    it('parseBasicAuthorization splits at the first colon', () => {
      const header = `Basic ${Buffer.from('id:pa:ss').toString('base64')}`;
      expect(parseBasicAuthorization(header)).to.deep.equal({ username: 'id', password: 'pa:ss' });
    });

    it('parseBasicAuthorization ignores CR and LF inside the base64, like Go', () => {
      const encoded = Buffer.from('id:secret').toString('base64');
      expect(parseBasicAuthorization(`Basic ${encoded.slice(0, 4)}\r\n${encoded.slice(4)}`)).to.deep.equal({
        username: 'id',
        password: 'secret',
      });
    });

    it('queryUnescape follows url.QueryUnescape', () => {
      expect(queryUnescape('a+b%20c%2B')).to.equal('a b c+');
      expect(() => queryUnescape('%')).to.throw();
      expect(() => queryUnescape('%g0')).to.throw();
    });
  });
});
