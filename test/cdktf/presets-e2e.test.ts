// The sign-in presets with the real terraform against a running Tollgate, then a whole login through each
// created client (flow-driver: authorize, login and consent accepted through the admin API, code, token): the
// web app with its generated secret, the browser app with PKCE and no secret at all.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { call } from '../helpers/api.js';
import { exchangeCode, FlowDriver, pkcePair, randomState } from '../helpers/flow-driver.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { run, terraform, writeProviderMirror } from '../helpers/terraform-run.js';

const APP = fileURLToPath(new URL('./fixtures/presets-app.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');

describe('CDKTF presets WebAppClient and BrowserAppClient: terraform apply, then a sign-in', function () {
  this.timeout(180_000);
  let server: TestServer;
  let root: string;
  let env: NodeJS.ProcessEnv;
  let stackDir: string;

  before(async () => {
    server = await startTestServer();
    root = mkdtempSync(join(tmpdir(), 'tollgate-presets-'));
    env = {
      ...process.env,
      TF_CLI_CONFIG_FILE: writeProviderMirror(root),
      TOLLGATE_ADMIN_URL: server.adminUrl,
    };
    stackDir = join(root, 'cdktf.out', 'stacks', 'presets');
    const synth = await run(process.execPath, ['--import', TSX, APP], { cwd: root, env });
    expect(synth.code, synth.stderr).to.equal(0);
    const init = await terraform(stackDir, ['init', '-input=false'], env);
    expect(init.code, init.stdout + init.stderr).to.equal(0);
  });

  after(async () => {
    await server?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('terraform apply creates a confidential and a public client', async () => {
    const apply = await terraform(stackDir, ['apply', '-auto-approve', '-input=false'], env);
    expect(apply.code, apply.stdout + apply.stderr).to.equal(0);
    expect(apply.stdout).to.contain('Apply complete! Resources: 2 added, 0 changed, 0 destroyed.');

    const portal = await call(server, 'getOAuth2Client', { params: { id: 'portal' } });
    expect(portal.body).to.include({
      client_name: 'Portal',
      scope: 'openid offline_access',
      token_endpoint_auth_method: 'client_secret_basic',
    });
    expect(portal.body.grant_types).to.deep.equal(['authorization_code', 'refresh_token']);
    expect(portal.body.response_types).to.deep.equal(['code']);

    const spa = await call(server, 'getOAuth2Client', { params: { id: 'spa' } });
    expect(spa.body).to.include({ scope: 'openid offline_access', token_endpoint_auth_method: 'none' });
    expect(spa.body.grant_types).to.deep.equal(['authorization_code', 'refresh_token']);
    expect(spa.body.allowed_cors_origins).to.deep.equal(['https://app.example.com']);
    // A public client has no secret, neither on the server nor in the state.
    const state = JSON.parse(readFileSync(join(root, 'terraform.presets.tfstate'), 'utf8'));
    const spaState = state.resources.find((r: any) => r.name === 'spa').instances[0];
    expect(spaState.attributes.client_secret ?? '').to.equal('');
  });

  it('the web app signs a user in with the secret Terraform keeps in its state', async () => {
    const state = JSON.parse(readFileSync(join(root, 'terraform.presets.tfstate'), 'utf8'));
    const secret = state.resources.find((r: any) => r.name === 'portal').instances[0].attributes
      .client_secret as string;
    expect(secret).to.be.a('string').with.length.greaterThan(5);
    const redirectUri = 'http://127.0.0.1:5555/callback';
    const { params } = await new FlowDriver(server).login({
      response_type: 'code',
      client_id: 'portal',
      redirect_uri: redirectUri,
      scope: 'openid offline_access',
      state: randomState(),
      nonce: randomState(),
    });
    const code = params.get('code');
    expect(code, String(params)).to.be.a('string');
    const token = await exchangeCode(
      server,
      { client_id: 'portal', client_secret: secret },
      { code: code!, redirect_uri: redirectUri },
    );
    expect(token.status, token.text).to.equal(200);
    expect(token.body).to.have.keys(
      'access_token',
      'refresh_token',
      'id_token',
      'expires_in',
      'scope',
      'token_type',
    );
  });

  it('the browser app signs a user in with PKCE and no secret, on any loopback port (RFC 8252 §7.3)', async () => {
    const { verifier, challenge } = pkcePair();
    const redirectUri = 'http://127.0.0.1:49152/callback';
    const { params } = await new FlowDriver(server).login({
      response_type: 'code',
      client_id: 'spa',
      redirect_uri: redirectUri,
      scope: 'openid offline_access',
      state: randomState(),
      nonce: randomState(),
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    const code = params.get('code');
    expect(code, String(params)).to.be.a('string');

    const withoutVerifier = await exchangeCode(
      server,
      { client_id: 'spa' },
      { code: code!, redirect_uri: redirectUri },
    );
    expect(withoutVerifier.status, withoutVerifier.text).to.equal(400);

    const { params: again } = await new FlowDriver(server).login({
      response_type: 'code',
      client_id: 'spa',
      redirect_uri: redirectUri,
      scope: 'openid offline_access',
      state: randomState(),
      nonce: randomState(),
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    const token = await exchangeCode(
      server,
      { client_id: 'spa' },
      { code: again.get('code')!, redirect_uri: redirectUri, code_verifier: verifier },
    );
    expect(token.status, token.text).to.equal(200);
    expect(token.body.access_token).to.be.a('string');
    expect(token.body.refresh_token).to.be.a('string');
    expect(token.body.id_token).to.be.a('string');
  });

  it('terraform destroy deletes both clients', async () => {
    const destroy = await terraform(stackDir, ['destroy', '-auto-approve', '-input=false'], env);
    expect(destroy.code, destroy.stdout + destroy.stderr).to.equal(0);
    for (const id of ['portal', 'spa']) {
      expect((await call(server, 'getOAuth2Client', { params: { id } })).status, id).to.equal(404);
    }
  });
});
