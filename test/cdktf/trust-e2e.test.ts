// The TrustedJwtIssuer construct end to end: a CDKTF app synthesized with node, then the real terraform
// against a running Tollgate: apply creates the trust relationship (checked through the admin API, its kid the
// key's RFC 7638 thumbprint) and the client, an assertion signed with the key gets a token through that client,
// a second plan is empty, destroy removes it.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { SignJWT } from 'jose';
import { jwkThumbprint } from 'tollgate/cdktf';
import { call } from '../helpers/api.js';
import { tokenRequest } from '../helpers/oauth2.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { run, terraform, writeProviderMirror } from '../helpers/terraform-run.js';

const APP = fileURLToPath(new URL('./fixtures/trust-app.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');
const ISSUER = 'https://idp.partner.example';

describe('CDKTF TrustedJwtIssuer: terraform apply, plan, destroy against Tollgate', function () {
  this.timeout(180_000);
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const publicJwk = publicKey.export({ format: 'jwk' });
  const kid = jwkThumbprint(publicJwk) as string;
  let server: TestServer;
  let root: string;
  let env: NodeJS.ProcessEnv;
  let stackDir: string;
  let trustId: string;

  const tf = (...args: string[]) => terraform(stackDir, args, env);

  before(async () => {
    server = await startTestServer();
    root = mkdtempSync(join(tmpdir(), 'tollgate-trust-'));
    env = {
      ...process.env,
      TF_CLI_CONFIG_FILE: writeProviderMirror(root),
      TOLLGATE_ADMIN_URL: server.adminUrl,
      TRUST_PUBLIC_JWK: JSON.stringify(publicJwk),
    };
    stackDir = join(root, 'cdktf.out', 'stacks', 'trust');
    const synth = await run(process.execPath, ['--import', TSX, APP], { cwd: root, env });
    expect(synth.code, synth.stderr).to.equal(0);
    const init = await tf('init', '-input=false');
    expect(init.code, init.stdout + init.stderr).to.equal(0);
  });

  after(async () => {
    await server?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('terraform apply creates the trust relationship and its client', async () => {
    const apply = await tf('apply', '-auto-approve', '-input=false');
    expect(apply.code, apply.stdout + apply.stderr).to.equal(0);
    expect(apply.stdout).to.contain('Apply complete! Resources: 2 added, 0 changed, 0 destroyed.');
    const out = JSON.parse((await tf('output', '-json')).stdout);
    trustId = out.trust_id.value;
    expect(out.kid.value).to.equal(kid);

    const got = await call(server, 'getTrustedOAuth2JwtGrantIssuer', { params: { id: trustId } });
    expect(got.status, got.text).to.equal(200);
    expect(got.body).to.include({
      issuer: ISSUER,
      subject: 'alice@partner.example',
      allow_any_subject: false,
    });
    expect(got.body.scope).to.deep.equal(['invoices.read']);
    expect(got.body.public_key).to.deep.equal({ set: ISSUER, kid });
    expect(got.body.expires_at).to.equal('2099-01-01T00:00:00Z');
    const key = await call(server, 'getJsonWebKey', { params: { set: ISSUER, kid } });
    expect(key.status).to.equal(200);
    expect(key.body.keys[0]).to.include({ x: publicJwk.x, y: publicJwk.y });
  });

  it('an assertion signed with the key, naming the thumbprint kid, gets a token through the client', async () => {
    const now = Math.floor(Date.now() / 1000);
    const assertion = await new SignJWT({
      iss: ISSUER,
      sub: 'alice@partner.example',
      aud: new URL('oauth2/token', server.config.publicUrl).href,
      exp: now + 300,
      iat: now,
      jti: randomUUID(),
    })
      .setProtectedHeader({ alg: 'ES256', kid })
      .sign(privateKey);
    const res = await tokenRequest(
      server,
      { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion, scope: 'invoices.read' },
      { id: 'partner-gateway', secret: 'partner-gateway-secret' },
    );
    expect(res.status, res.text).to.equal(200);
    expect(res.body.scope).to.equal('invoices.read');
  });

  it('a second plan shows no changes', async () => {
    const plan = await tf('plan', '-detailed-exitcode', '-input=false');
    expect(plan.code, plan.stdout + plan.stderr).to.equal(0);
  });

  it('terraform destroy removes the trust relationship', async () => {
    const destroy = await tf('destroy', '-auto-approve', '-input=false');
    expect(destroy.code, destroy.stdout + destroy.stderr).to.equal(0);
    const got = await call(server, 'getTrustedOAuth2JwtGrantIssuer', { params: { id: trustId } });
    expect(got.status).to.equal(404);
  });
});
