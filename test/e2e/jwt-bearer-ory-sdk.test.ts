// Ory's own SDK (`@ory/hydra-client`), unchanged, manages jwt-bearer trust relationships on Tollgate: create,
// list by issuer, get, delete, and a refusal it parses. Every response is also checked against openapi.yaml.
import { Configuration, type JsonWebKey, OAuth2Api } from '@ory/hydra-client';
import axios, { type AxiosResponse } from 'axios';
import { expect } from 'chai';
import { exportJWK, generateKeyPair } from 'jose';
import { contractProblem } from '../helpers/api.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const http = axios.create();
const conform = (response: AxiosResponse) => {
  const { method = 'get', url = '' } = response.config;
  const problem = contractProblem(
    method,
    new URL(url, response.config.baseURL).toString(),
    response.status,
    String(response.headers['content-type'] ?? '') || undefined,
    response.data,
  );
  expect(problem, `${method} ${url} ${response.status}`).to.equal(null);
};
http.interceptors.response.use(
  (response) => {
    conform(response);
    return response;
  },
  (error) => {
    if (axios.isAxiosError(error) && error.response) conform(error.response);
    return Promise.reject(error);
  },
);

describe('the Ory SDK manages jwt-bearer trust relationships on Tollgate', () => {
  let server: TestServer;
  let oauth2: OAuth2Api;

  before(async () => {
    server = await startTestServer();
    oauth2 = new OAuth2Api(
      new Configuration({ basePath: server.adminUrl }),
      undefined,
      http as unknown as ConstructorParameters<typeof OAuth2Api>[2],
    );
  });
  after(() => server?.close());

  it('create, list by issuer, get and delete, as with Hydra', async () => {
    const { publicKey } = await generateKeyPair('ES256', { extractable: true });
    const jwk = { ...(await exportJWK(publicKey)), kid: 'sdk-key', alg: 'ES256', use: 'sig' } as JsonWebKey;
    const issuer = 'https://sdk-idp.example.com';
    const { data: created, status } = await oauth2.trustOAuth2JwtGrantIssuer({
      trustOAuth2JwtGrantIssuer: {
        issuer,
        subject: 'sdk-user',
        scope: ['read'],
        jwk,
        expires_at: '2030-06-01T12:00:00Z',
      },
    });
    expect(status).to.equal(201);
    expect(created).to.deep.include({
      issuer,
      subject: 'sdk-user',
      allow_any_subject: false,
      scope: ['read'],
      public_key: { set: issuer, kid: 'sdk-key' },
      expires_at: '2030-06-01T12:00:00Z',
    });
    const { data: listed } = await oauth2.listTrustedOAuth2JwtGrantIssuers({ issuer });
    expect(listed.map((t) => t.id)).to.deep.equal([created.id]);
    const { data: got } = await oauth2.getTrustedOAuth2JwtGrantIssuer({ id: created.id! });
    expect(got).to.deep.equal(created);
    const deleted = await oauth2.deleteTrustedOAuth2JwtGrantIssuer({ id: created.id! });
    expect(deleted.status).to.equal(204);
    const error = await oauth2.getTrustedOAuth2JwtGrantIssuer({ id: created.id! }).catch((e: unknown) => e);
    expect(axios.isAxiosError(error) && error.response?.status).to.equal(404);
  });

  it('a missing issuer: the SDK receives Hydra’s missing_required_parameter', async () => {
    const error = await oauth2
      .trustOAuth2JwtGrantIssuer({
        trustOAuth2JwtGrantIssuer: {
          issuer: '',
          allow_any_subject: true,
          scope: [],
          jwk: { kty: 'EC', kid: 'x', alg: 'ES256', use: 'sig' },
          expires_at: '2030-06-01T12:00:00Z',
        },
      })
      .catch((e: unknown) => e);
    expect(axios.isAxiosError(error)).to.equal(true);
    if (!axios.isAxiosError(error)) return;
    expect(error.response?.status).to.equal(400);
    expect(error.response?.data).to.deep.equal({
      error: 'missing_required_parameter',
      error_description:
        "One of the required parameters is missing. Check your request parameters. Field 'issuer' is required.",
    });
  });
});
