// Rotating SECRETS_SYSTEM across restarts on one database (contract §4, §6): [A] → [B, A] → [B]. The first
// secret signs new opaque tokens and encrypts new private keys; every listed secret verifies and decrypts.
// Dropping A invalidates the opaque tokens signed under A, and makes the JWT signing keys encrypted under A
// unreadable: every operation that needs them answers a plain 500 `server_error` (no details, no stack), the log
// names the cause, and deleting the key set lets the server generate a fresh key under B.
import { createHash, createHmac } from 'node:crypto';
import { expect } from 'chai';
import { call } from '../helpers/api.js';
import { type CreatedClient, ccClient, introspect, issueToken, tokenRequest } from '../helpers/oauth2.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const SECRET_A = 'rotation-secret-A-0123456789';
const SECRET_B = 'rotation-secret-B-9876543210';
const ACCESS_TOKEN_SET = 'hydra.jwt.access-token';

/** Whether an opaque token's signature is HMAC-SHA-512/256 of its key part under SHA-256(secret) (contract §4). */
function signedWith(token: string, secret: string): boolean {
  const [key, sig] = token.slice('ory_at_'.length).split('.') as [string, string];
  const hmacKey = createHash('sha256').update(secret).digest();
  return createHmac('sha512-256', hmacKey).update(Buffer.from(key, 'base64url')).digest('base64url') === sig;
}

const kidOf = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString('utf8')).kid as string;

describe('system secret rotation across restarts on one database', function () {
  this.timeout(120_000);
  let server: TestServer | undefined;
  let dsn: string;
  let opaqueClient: CreatedClient;
  let jwtClient: CreatedClient;
  // Issued under [A].
  let opaqueA: string;
  let jwtA: string;
  let kidA: string;
  // Issued under [B, A].
  let opaqueB: string;
  let jwtB: string;

  const restart = async (secrets: string[]) => {
    await server?.close();
    server = await startTestServer({ 'secrets.system': secrets }, { dsn });
    return server;
  };

  before(async () => {
    server = await startTestServer({ 'secrets.system': [SECRET_A] });
    dsn = server.dsn;
  });
  after(() => server?.close());

  it('[A]: issues an opaque token signed under A and a JWT with a key encrypted under A', async () => {
    const s = server!;
    opaqueClient = await ccClient(s, { scope: 'read' });
    jwtClient = await ccClient(s, { scope: 'read', access_token_strategy: 'jwt' });
    opaqueA = await issueToken(s, opaqueClient, { scope: 'read' });
    expect(signedWith(opaqueA, SECRET_A)).to.equal(true);
    jwtA = await issueToken(s, jwtClient, { scope: 'read' });
    kidA = kidOf(jwtA);
    expect(await introspect(s, jwtA)).to.include({ active: true });
  });

  it('[B, A]: tokens issued under A still introspect active', async () => {
    const s = await restart([SECRET_B, SECRET_A]);
    expect(await introspect(s, opaqueA)).to.include({
      active: true,
      scope: 'read',
      client_id: opaqueClient.client_id,
    });
    expect(await introspect(s, jwtA)).to.include({
      active: true,
      scope: 'read',
      client_id: jwtClient.client_id,
    });
  });

  it('[B, A]: new opaque tokens are signed under B, the first secret', async () => {
    opaqueB = await issueToken(server!, opaqueClient, { scope: 'read' });
    expect(signedWith(opaqueB, SECRET_B)).to.equal(true);
    expect(signedWith(opaqueB, SECRET_A)).to.equal(false);
    expect(await introspect(server!, opaqueB)).to.include({ active: true });
  });

  it('[B, A]: the signing key encrypted under A still decrypts, so new JWTs use the same key', async () => {
    jwtB = await issueToken(server!, jwtClient, { scope: 'read' });
    expect(kidOf(jwtB)).to.equal(kidA);
    expect(await introspect(server!, jwtB)).to.include({ active: true });
    const set = await call(server!, 'getJsonWebKeySet', { params: { set: ACCESS_TOKEN_SET } });
    expect(set.status).to.equal(200);
    expect(set.body.keys.map((k: { kid: string }) => k.kid)).to.deep.equal([kidA]);
    // The private part is readable (decrypted with A).
    expect(set.body.keys[0].d).to.be.a('string').that.is.not.empty;
  });

  it('[B, A]: revocation still works for a token issued under A', async () => {
    const extra = await issueToken(server!, opaqueClient);
    await server!.close();
    server = await startTestServer({ 'secrets.system': [SECRET_A] }, { dsn });
    const underA = await issueToken(server, opaqueClient);
    const s = await restart([SECRET_B, SECRET_A]);
    const res = await call(s, 'revokeOAuth2Token', {
      form: { token: underA },
      basic: [opaqueClient.client_id, opaqueClient.client_secret!],
    });
    expect(res.status).to.equal(200);
    expect(await introspect(s, underA)).to.deep.equal({ active: false });
    expect(await introspect(s, extra)).to.include({ active: true });
  });

  it('[B]: opaque tokens signed under A are inactive, those signed under B stay active', async () => {
    const s = await restart([SECRET_B]);
    expect(await introspect(s, opaqueA)).to.deep.equal({ active: false });
    expect(await introspect(s, opaqueB)).to.include({ active: true, client_id: opaqueClient.client_id });
    // Revoking a token the server can no longer verify is the RFC 7009 "invalid token" case: 200.
    const revoked = await call(s, 'revokeOAuth2Token', {
      form: { token: opaqueA },
      basic: [opaqueClient.client_id, opaqueClient.client_secret!],
    });
    expect(revoked.status).to.equal(200);
    // Opaque issuance needs no key material and keeps working.
    const fresh = await issueToken(s, opaqueClient);
    expect(signedWith(fresh, SECRET_B)).to.equal(true);
  });

  it('[B]: JWT operations that need the key encrypted under A answer a bare 500 server_error; the log says why', async () => {
    const s = server!;
    const logged = s.logs.length;
    const failures = [
      await tokenRequest(
        s,
        { grant_type: 'client_credentials' },
        { id: jwtClient.client_id, secret: jwtClient.client_secret! },
      ),
      await call(s, 'introspectOAuth2Token', { form: { token: jwtB } }),
      await call(s, 'discoverJsonWebKeys'),
      await call(s, 'getJsonWebKeySet', { params: { set: ACCESS_TOKEN_SET } }),
    ];
    for (const res of failures) {
      expect(res.status, res.text).to.equal(500);
      expect(res.headers.get('content-type')).to.match(/^application\/json/);
      expect(res.body).to.deep.equal({
        error: 'server_error',
        error_description:
          'The authorization server encountered an unexpected condition that prevented it from fulfilling the request.',
      });
      // Nothing internal leaks: no stack, no file paths, no crypto detail.
      expect(res.text).not.to.match(/decrypt|at \w+ \(|\.ts:|node:|SECRETS_SYSTEM/i);
    }
    // The operator learns the cause from the log, once per failed request.
    const reasons = s.logs
      .slice(logged)
      .map((line) => JSON.parse(line))
      .filter((line) => line.level === 50);
    expect(reasons).to.have.length(failures.length);
    for (const line of reasons) {
      expect(line.request_id).to.be.a('string');
      expect(JSON.stringify(line)).to.match(/Unable to decrypt.*SECRETS_SYSTEM/);
    }
    // The process is unharmed.
    expect((await call(s, 'isAlive')).status).to.equal(200);
    expect((await call(s, 'isReady')).status).to.equal(200);
  });

  it('[B]: deleting the unreadable key set recovers: a new key, encrypted under B, signs new JWTs', async () => {
    const s = server!;
    const deleted = await call(s, 'deleteJsonWebKeySet', { params: { set: ACCESS_TOKEN_SET } });
    expect(deleted.status).to.equal(204);
    const token = await issueToken(s, jwtClient, { scope: 'read' });
    expect(kidOf(token)).not.to.equal(kidA);
    expect(await introspect(s, token)).to.include({ active: true });
    // JWTs signed by the deleted key cannot be verified any more: inactive, no longer an error.
    expect(await introspect(s, jwtB)).to.deep.equal({ active: false });
    expect(await introspect(s, jwtA)).to.deep.equal({ active: false });
    // And the new key survives a restart with [B] (it was encrypted under B).
    const again = await restart([SECRET_B]);
    expect(await introspect(again, token)).to.include({ active: true });
  });
});
