// Rotating SECRETS_SYSTEM across restarts on one database, as Hydra rotates: [A] → [B, A] → [B]. The first
// secret signs new opaque tokens and encrypts new private keys; every listed secret verifies and decrypts.
// A start with [B, A] writes nothing; `tollgate secrets reseal` under [B, A] seals every private key again under
// B, so dropping A invalidates the opaque tokens signed under A but loses no key. Dropping a secret without that
// overlap ([B] → [C]) leaves keys nobody can open: every operation that needs them answers 503
// `temporarily_unavailable` (no details, no stack), the log names the cause once, and deleting the key set lets
// the server generate a fresh key.
import { createHash, createHmac } from 'node:crypto';
import { expect } from 'chai';
import { call } from '../helpers/api.js';
import { runTollgate } from '../helpers/cli.js';
import { type CreatedClient, ccClient, introspect, issueToken, tokenRequest } from '../helpers/oauth2.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const SECRET_A = 'rotation-secret-A-0123456789';
const SECRET_B = 'rotation-secret-B-9876543210';
const SECRET_C = 'rotation-secret-C-5555555555';
const ACCESS_TOKEN_SET = 'hydra.jwt.access-token';
const OTHER_SET = 'rotation-other';

/** Whether an opaque token's signature is HMAC-SHA-512/256 of its key part under SHA-256(secret). */
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
    const other = await call(s, 'createJsonWebKeySet', {
      params: { set: OTHER_SET },
      json: { alg: 'ES256', use: 'sig', kid: 'other' },
    });
    expect(other.status).to.equal(201);
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
    expect(set.body.keys[0].d).to.be.a('string').that.is.not.empty;
  });

  it('[B, A]: start-up only says that keys are sealed under an older secret; `secrets reseal` seals them again', async () => {
    const stale = server!.logs.map((line) => JSON.parse(line)).find((line) => line.stale !== undefined);
    // The access-token set, and the other set created under A.
    expect(stale?.stale).to.equal(2);
    expect(stale?.msg).to.include('tollgate secrets reseal');
    const run = await runTollgate(['secrets', 'reseal'], {
      env: { DSN: dsn, SECRETS_SYSTEM: `${SECRET_B},${SECRET_A}` },
    });
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.equal('Sealed 2 JSON Web Key(s) again with the first system secret.\n');
    const again = await runTollgate(['secrets', 'reseal'], {
      env: { DSN: dsn, SECRETS_SYSTEM: `${SECRET_B},${SECRET_A}` },
    });
    expect(again.stdout).to.equal('Sealed 0 JSON Web Key(s) again with the first system secret.\n');
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
    const fresh = await issueToken(s, opaqueClient);
    expect(signedWith(fresh, SECRET_B)).to.equal(true);
  });

  it('[B]: the keys survived the rotation: JWTs of either period stay valid and new ones use the same key', async () => {
    const s = server!;
    expect(await introspect(s, jwtA)).to.include({ active: true });
    expect(await introspect(s, jwtB)).to.include({ active: true });
    const fresh = await issueToken(s, jwtClient, { scope: 'read' });
    expect(kidOf(fresh)).to.equal(kidA);
    expect((await call(s, 'getJsonWebKeySet', { params: { set: OTHER_SET } })).status).to.equal(200);
    expect((await call(s, 'discoverJsonWebKeys')).status).to.equal(200);
  });

  it('[C] without overlap: operations that need a key nobody can open answer 503; the log says why', async () => {
    const s = await restart([SECRET_C]);
    const warning = s.logs.map((line) => JSON.parse(line)).find((line) => line.unreadable !== undefined);
    expect(warning?.unreadable).to.be.at.least(2);
    expect(warning?.level).to.equal('error');
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
      expect(res.status, res.text).to.equal(503);
      expect(res.headers.get('content-type')).to.match(/^application\/json/);
      expect(res.body).to.deep.equal({
        error: 'temporarily_unavailable',
        error_description:
          'The authorization server is currently unable to handle the request due to a temporary overloading or maintenance of the server.',
      });
      // Nothing internal leaks: no stack, no file paths, no crypto detail.
      expect(res.text).not.to.match(/decrypt|at \w+ \(|\.ts:|node:|SECRETS_SYSTEM/i);
    }
    const lines = s.logs.slice(logged).map((line) => JSON.parse(line));
    // One error per key nobody can open (the access-token set and the id-token set), not one per request.
    const errors = lines.filter((line) => line.level === 'error');
    expect(errors.map((line) => line.set).sort()).to.deep.equal([ACCESS_TOKEN_SET, 'hydra.openid.id-token']);
    for (const line of errors)
      expect(line.reason).to.match(/opens with none of the configured.*SECRETS_SYSTEM/);
    // Each failed request is noted with its request id.
    const failed = lines.filter((line) => line.msg === 'request failed');
    expect(failed).to.have.length(failures.length);
    for (const line of failed) expect(line.request_id).to.be.a('string');
    expect((await call(s, 'isAlive')).status).to.equal(200);
    expect((await call(s, 'isReady')).status).to.equal(200);
  });

  it('[C]: deleting the unreadable key set recovers: a new key, encrypted under C, signs new JWTs', async () => {
    const s = server!;
    const deleted = await call(s, 'deleteJsonWebKeySet', { params: { set: ACCESS_TOKEN_SET } });
    expect(deleted.status).to.equal(204);
    const token = await issueToken(s, jwtClient, { scope: 'read' });
    expect(kidOf(token)).not.to.equal(kidA);
    expect(await introspect(s, token)).to.include({ active: true });
    // JWTs signed by the deleted key cannot be verified any more: inactive, no longer an error.
    expect(await introspect(s, jwtB)).to.deep.equal({ active: false });
    const again = await restart([SECRET_C]);
    expect(await introspect(again, token)).to.include({ active: true });
  });
});
