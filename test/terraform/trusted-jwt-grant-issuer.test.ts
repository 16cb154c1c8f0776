// Resource tollgate_trusted_jwt_grant_issuer with the real terraform against a running Tollgate: create, an
// empty plan, replacement (every argument forces one: the admin API has no update), drift, import, destroy,
// and the plan-time diagnostics. Every effect is checked through the admin API, and the relationship through the
// jwt-bearer grant: an assertion signed with the key gets a token while it exists, and none after destroy.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { SignJWT } from 'jose';
import { call } from '../helpers/api.js';
import { createClient, tokenRequest } from '../helpers/oauth2.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { type TerraformWorkspace, terraformWorkspace } from '../helpers/terraform.js';

const ISSUER = 'https://jwt-idp.example.com';
const GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const CLIENT_SECRET = 'jwt-bearer-client-secret';
const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const PUBLIC_JWK = { ...publicKey.export({ format: 'jwk' }), kid: 'idp-key-1', alg: 'ES256', use: 'sig' };

interface TrustConfig {
  scope: string[];
  /** The key as written in HCL (any member order). */
  jwk?: Record<string, unknown>;
  expiresAt?: string;
  subject?: string | null;
  allowAnySubject?: boolean;
}

const config = (c: TrustConfig) => `
terraform {
  required_providers {
    tollgate = { source = "tollgate/tollgate" }
  }
}

provider "tollgate" {}

resource "tollgate_trusted_jwt_grant_issuer" "idp" {
  issuer     = "${ISSUER}"
  ${c.subject === null ? '' : `subject = "${c.subject ?? 'mike@example.com'}"`}
  ${c.allowAnySubject === undefined ? '' : `allow_any_subject = ${c.allowAnySubject}`}
  scope      = ${JSON.stringify(c.scope)}
  jwk        = jsonencode(${JSON.stringify(c.jwk ?? PUBLIC_JWK)})
  expires_at = "${c.expiresAt ?? '2030-01-01T00:00:00Z'}"
}

output "id" { value = tollgate_trusted_jwt_grant_issuer.idp.id }
output "kid" { value = tollgate_trusted_jwt_grant_issuer.idp.public_key_kid }
output "set" { value = tollgate_trusted_jwt_grant_issuer.idp.public_key_set }
output "created_at" { value = tollgate_trusted_jwt_grant_issuer.idp.created_at }
`;

describe('Terraform resource tollgate_trusted_jwt_grant_issuer (real terraform)', function () {
  this.timeout(180_000);
  let server: TestServer;
  let tf: TerraformWorkspace;
  let id: string;
  const base: TrustConfig = { scope: ['invoices:read', 'invoices:write'] };

  const getTrust = (trustId: string) =>
    call(server, 'getTrustedOAuth2JwtGrantIssuer', { params: { id: trustId } });
  const outputs = async () =>
    JSON.parse((await tf.ok('output', '-json')).stdout) as Record<string, { value: unknown }>;
  const plan = () => tf.run('plan', '-detailed-exitcode');
  let clientId: string;
  /** The jwt-bearer grant with an assertion of ISSUER about mike@example.com, signed with the trusted key. */
  const exchange = async (scope: string) => {
    const now = Math.floor(Date.now() / 1000);
    const assertion = await new SignJWT({
      iss: ISSUER,
      sub: 'mike@example.com',
      aud: new URL('oauth2/token', server.config.publicUrl).href,
      exp: now + 300,
      iat: now,
      jti: randomUUID(),
    })
      .setProtectedHeader({ alg: 'ES256', kid: PUBLIC_JWK.kid })
      .sign(privateKey);
    return tokenRequest(
      server,
      { grant_type: GRANT, assertion, scope },
      { id: clientId, secret: CLIENT_SECRET },
    );
  };

  before(async () => {
    server = await startTestServer();
    tf = terraformWorkspace({ TOLLGATE_ADMIN_URL: server.adminUrl });
    const client = await createClient(server, {
      grant_types: [GRANT],
      scope: 'invoices:read invoices:write',
      client_secret: CLIENT_SECRET,
    });
    clientId = client.client_id;
  });

  after(async () => {
    tf?.remove();
    await server?.close();
  });

  it('apply creates the trust relationship, visible through the admin API', async () => {
    tf.write('main.tf', config(base));
    const res = await tf.ok('apply', '-auto-approve');
    expect(res.stdout).to.contain('Apply complete! Resources: 1 added, 0 changed, 0 destroyed.');
    const out = await outputs();
    id = out.id!.value as string;
    expect(out.kid!.value).to.equal('idp-key-1');
    expect(out.set!.value).to.equal(ISSUER);
    expect(out.created_at!.value).to.match(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);

    const got = await getTrust(id);
    expect(got.status, got.text).to.equal(200);
    expect(got.body).to.include({
      id,
      issuer: ISSUER,
      subject: 'mike@example.com',
      allow_any_subject: false,
    });
    expect(got.body.scope).to.deep.equal(base.scope);
    expect(got.body.public_key).to.deep.equal({ set: ISSUER, kid: 'idp-key-1' });
    expect(Date.parse(got.body.expires_at)).to.equal(Date.parse('2030-01-01T00:00:00Z'));
  });

  it('the relationship is usable: an assertion signed with the key gets a token (jwt-bearer grant)', async () => {
    const res = await exchange('invoices:write');
    expect(res.status, res.text).to.equal(200);
    expect(res.body.scope).to.equal('invoices:write');
    expect(res.body.access_token).to.be.a('string');
  });

  it('a second plan shows no changes, also with the scopes and key members reordered and expires_at in another offset', async () => {
    const res = await plan();
    expect(res.code, res.stdout + res.stderr).to.equal(0);
    const reordered = Object.fromEntries(Object.entries(PUBLIC_JWK).reverse());
    tf.write(
      'main.tf',
      config({
        ...base,
        scope: [...base.scope].reverse(),
        jwk: reordered,
        expiresAt: '2030-01-01T02:00:00+02:00',
      }),
    );
    const again = await plan();
    expect(again.code, again.stdout + again.stderr).to.equal(0);
    expect(again.stdout).to.contain('No changes.');
  });

  it('changing the scope replaces the relationship (there is no update)', async () => {
    const scope = ['invoices:read'];
    tf.write('main.tf', config({ ...base, scope }));
    const planned = await plan();
    expect(planned.code, planned.stdout + planned.stderr).to.equal(2);
    expect(planned.stdout).to.contain('tollgate_trusted_jwt_grant_issuer.idp must be replaced');
    expect(planned.stdout).to.match(/~ scope .*# forces replacement/);
    expect(planned.stdout).to.contain('Plan: 1 to add, 0 to change, 1 to destroy.');

    const res = await tf.ok('apply', '-auto-approve');
    expect(res.stdout).to.contain('Resources: 1 added, 0 changed, 1 destroyed.');
    const newId = (await outputs()).id!.value as string;
    expect(newId).not.to.equal(id);
    expect((await getTrust(id)).status).to.equal(404);
    const got = await getTrust(newId);
    expect(got.status).to.equal(200);
    expect(got.body.scope).to.deep.equal(scope);
    id = newId;
    base.scope = scope;
    // The replacement holds only the new scopes.
    expect((await exchange('invoices:read')).status).to.equal(200);
    const refused = await exchange('invoices:write');
    expect(refused.status).to.equal(400);
    expect(refused.body.error).to.equal('invalid_scope');
  });

  it('a relationship deleted outside Terraform leaves the state on refresh and is planned for creation', async () => {
    const deleted = await call(server, 'deleteTrustedOAuth2JwtGrantIssuer', { params: { id } });
    expect(deleted.status).to.equal(204);
    const res = await plan();
    expect(res.code, res.stdout + res.stderr).to.equal(2);
    expect(res.stdout).to.contain('has been deleted');
    expect(res.stdout).to.match(/tollgate_trusted_jwt_grant_issuer\.idp will be created/);
  });

  it('a key deleted from its key set outside Terraform plans a replacement, which restores it', async () => {
    await tf.ok('apply', '-auto-approve');
    id = (await outputs()).id!.value as string;
    const deleted = await call(server, 'deleteJsonWebKey', { params: { set: ISSUER, kid: PUBLIC_JWK.kid } });
    expect(deleted.status).to.equal(204);
    const res = await plan();
    expect(res.code, res.stdout + res.stderr).to.equal(2);
    expect(res.stdout).to.contain('tollgate_trusted_jwt_grant_issuer.idp must be replaced');
    expect(res.stdout).to.match(/\+ jwk += jsonencode\(/);
    expect(res.stdout).to.contain('} # forces replacement');
    await tf.ok('apply', '-auto-approve');
    id = (await outputs()).id!.value as string;
    const key = await call(server, 'getJsonWebKey', { params: { set: ISSUER, kid: PUBLIC_JWK.kid } });
    expect(key.status).to.equal(200);
    expect((await exchange('invoices:read')).status).to.equal(200);
    expect((await plan()).code).to.equal(0);
    // Gone again behind Terraform's back, for the import below to adopt one created through the admin API.
    expect((await call(server, 'deleteTrustedOAuth2JwtGrantIssuer', { params: { id } })).status).to.equal(
      204,
    );
  });

  it('import by id adopts an existing relationship (its key read back from the server): the plan is empty', async () => {
    const created = await call(server, 'trustOAuth2JwtGrantIssuer', {
      json: {
        issuer: ISSUER,
        subject: 'mike@example.com',
        scope: base.scope,
        jwk: PUBLIC_JWK,
        expires_at: '2030-01-01T00:00:00Z',
      },
    });
    expect(created.status, created.text).to.equal(201);
    id = created.body.id;
    await tf.ok('state', 'rm', 'tollgate_trusted_jwt_grant_issuer.idp');
    tf.write('main.tf', config(base));
    const imported = await tf.ok('import', 'tollgate_trusted_jwt_grant_issuer.idp', id);
    expect(imported.stdout).to.contain('Import successful!');
    const state = JSON.parse(tf.state()).resources[0].instances[0].attributes;
    expect(JSON.parse(state.jwk)).to.include({ kid: 'idp-key-1', x: PUBLIC_JWK.x, y: PUBLIC_JWK.y });
    expect(JSON.parse(state.jwk)).not.to.have.property('d');
    const res = await plan();
    expect(res.code, res.stdout + res.stderr).to.equal(0);
  });

  it('importing an id the server does not know, or a malformed one, fails with the reason', async () => {
    await tf.ok('state', 'rm', 'tollgate_trusted_jwt_grant_issuer.idp');
    const res = await tf.run(
      'import',
      'tollgate_trusted_jwt_grant_issuer.idp',
      '7b8b4c39-0000-4000-8000-000000000000',
    );
    expect(res.code).to.equal(1);
    expect(res.stdout + res.stderr).to.contain('Cannot import non-existent remote object');
    // An id that is not a UUID: the server's 400 reaches the user as the reason.
    const bad = await tf.run('import', 'tollgate_trusted_jwt_grant_issuer.idp', 'not-a-uuid');
    expect(bad.code).to.equal(1);
    expect(bad.stdout + bad.stderr).to.contain(
      'Could not read the trusted JWT bearer grant issuer not-a-uuid: Unable to parse parameter id',
    );
    await tf.ok('import', 'tollgate_trusted_jwt_grant_issuer.idp', id);
  });

  it("destroy deletes the relationship, after which the issuer's assertions get no token", async () => {
    expect((await exchange('invoices:read')).status).to.equal(200);
    const res = await tf.ok('destroy', '-auto-approve');
    expect(res.stdout).to.contain('Resources: 1 destroyed.');
    expect((await getTrust(id)).status).to.equal(404);
    const refused = await exchange('invoices:read');
    expect(refused.status).to.equal(400);
    expect(refused.body.error).to.equal('invalid_grant');
  });

  it('an invalid configuration fails validation with the attribute and the reason', async () => {
    const { kid: _kid, ...noKid } = PUBLIC_JWK;
    const cases: [TrustConfig, string[]][] = [
      [{ ...base, allowAnySubject: true }, ['Both subject and allow_any_subject are set']],
      [{ ...base, subject: null }, ['Neither subject nor allow_any_subject is set']],
      [{ ...base, jwk: noKid }, ['Invalid jwk', 'the key has no "kid"']],
      [{ ...base, jwk: { ...PUBLIC_JWK, d: 'c2VjcmV0' } }, ['Invalid jwk', 'holds private key members (d)']],
      [
        { ...base, expiresAt: 'next year', scope: ['has space'] },
        ['Invalid expires_at', '"next year" is not an RFC 3339 timestamp', 'Invalid scope'],
      ],
    ];
    for (const [c, messages] of cases) {
      tf.write('main.tf', config(c));
      const res = await tf.run('validate');
      expect(res.code, res.stdout).to.equal(1);
      for (const m of messages) expect(res.stdout + res.stderr).to.contain(m);
    }
    // An expiry in the past is valid (the relationship exists until the janitor removes it) but warned about.
    tf.write('main.tf', config({ ...base, expiresAt: '2020-01-01T00:00:00Z' }));
    const past = await tf.run('validate');
    expect(past.code, past.stdout + past.stderr).to.equal(0);
    expect(past.stdout + past.stderr).to.contain('Warning: expires_at is in the past');
  });
});
