import { expect } from 'chai';
import type { OAuth2ClientWire, StoredClient } from '../../server/clients/client.js';
import { readClient, toStoredForm } from '../../server/clients/client-codec.js';
import { validateClient } from '../../server/clients/client-policy.js';
import { clientFromStored, storedClient } from '../../server/clients/stored-client.js';

const at = new Date('2026-11-07T12:00:00.123Z');

/** A row as ClientService writes it: the validated client's stored form, rendered. */
function storedFrom(input: Record<string, unknown>): StoredClient {
  const { client, secret } = readClient(input);
  const valid = validateClient(client, secret);
  valid.client_id ||= 'c1';
  return storedClient(valid, null, at, at);
}

/** What reading a row meant before the mapper: the request decoder run over the stored JSON. */
function decoded(stored: StoredClient) {
  const { client } = readClient(stored.document);
  client.client_id = stored.client_id;
  return toStoredForm(client);
}

const rsaKey = { kty: 'RSA', kid: 'k1', n: 'AQAB', e: 'AQAB' };

const inputs: Record<string, Record<string, unknown>> = {
  'an empty body': {},
  'every kind of field set': {
    client_id: 'full',
    client_name: 'Full',
    redirect_uris: ['https://app.example/cb'],
    grant_types: ['client_credentials', 'authorization_code'],
    response_types: ['code'],
    scope: 'a b',
    audience: ['https://api.example'],
    owner: 'team',
    allowed_cors_origins: ['https://app.example/'],
    contacts: ['ops@example.com'],
    token_endpoint_auth_method: 'private_key_jwt',
    token_endpoint_auth_signing_alg: 'ES256',
    jwks: { keys: [rsaKey] },
    request_uris: ['https://app.example/req'],
    frontchannel_logout_uri: 'https://app.example/fc',
    frontchannel_logout_session_required: true,
    post_logout_redirect_uris: ['https://app.example/bye'],
    backchannel_logout_session_required: true,
    metadata: { tollgate: { stateless: true }, n: [1, 2] },
    access_token_strategy: 'JWT',
    skip_consent: true,
    skip_logout_consent: false,
    client_credentials_grant_access_token_lifespan: '90m',
    refresh_token_grant_refresh_token_lifespan: '1h',
  },
  'a jwks_uri and a public client': {
    token_endpoint_auth_method: 'none',
    jwks_uri: 'https://app.example/jwks',
    skip_logout_consent: true,
  },
};

describe('clientFromStored (a stored row to the domain client)', () => {
  for (const [name, input] of Object.entries(inputs)) {
    it(`reads ${name} as the request decoder read the stored JSON`, () => {
      const stored = storedFrom(input);
      expect(clientFromStored(stored)).to.deep.equal(decoded(stored));
    });
  }

  it('reads keys missing from the document as unset, as Go’s decoder leaves them', () => {
    const stored = storedFrom({ client_id: 'old' });
    const sparse = { client_id: 'old', jwks: {} } as OAuth2ClientWire;
    const old = { ...stored, document: sparse };
    const client = clientFromStored(old);
    expect(client).to.deep.equal(decoded(old));
    expect(client).to.include({ scope: '', skip_consent: false, skip_logout_consent: null, jwks: null });
    expect(client.redirect_uris).to.deep.equal([]);
    expect(client.client_credentials_grant_access_token_lifespan).to.equal(null);
  });

  it('takes the id from the column and shares nothing with the row', () => {
    const stored = storedFrom(inputs['every kind of field set']!);
    const before = structuredClone(stored.document);
    const client = clientFromStored({ ...stored, client_id: 'renamed' });
    expect(client.client_id).to.equal('renamed');
    client.redirect_uris?.push('https://evil.example/cb');
    client.jwks?.keys.push({ kty: 'oct', k: 'x' });
    (client.metadata as { n: number[] }).n.push(3);
    expect(stored.document).to.deep.equal(before);
  });
});
