// The provider process as go-plugin sees it, without Terraform: the handshake line, mutual TLS against the
// client certificate in PLUGIN_CLIENT_CERT (a client without it is refused), the provider schema over gRPC,
// and a prompt exit on Shutdown and on SIGTERM; and Ctrl-C in terraform, which arrives as StopProvider.
import { type ChildProcess, spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import { createServerCertificate } from '../../cdktf/provider/plugin/cert.js';
import { loadProtocol } from '../../cdktf/provider/plugin/serve.js';
import { PROVIDER_BIN_DIR, type TerraformWorkspace, terraformWorkspace } from '../helpers/terraform.js';

const COOKIE = 'd602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2';

interface Started {
  child: ChildProcess;
  address: string;
  serverCertPem: string;
  stderr: () => string;
}

async function startProvider(
  clientCertPem: string,
  executable = 'terraform-provider-tollgate',
): Promise<Started> {
  const child = spawn(`${PROVIDER_BIN_DIR}/${executable}`, [], {
    env: {
      ...process.env,
      TF_PLUGIN_MAGIC_COOKIE: COOKIE,
      PLUGIN_PROTOCOL_VERSIONS: '5,6',
      PLUGIN_CLIENT_CERT: clientCertPem,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => {
    stderr += d;
  });
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve(out);
    });
    child.on('exit', (code) => reject(new Error(`provider exited ${code}: ${stderr}`)));
  });
  const parts = line.trim().split('|');
  expect(parts.slice(0, 3)).to.deep.equal(['1', '6', 'tcp']);
  expect(parts[4]).to.equal('grpc');
  expect(parts[5]).not.to.match(/=$/); // go-plugin decodes RawStdEncoding: no padding
  const der = Buffer.from(parts[5]!, 'base64');
  const serverCertPem = new X509Certificate(der).toString();
  return { child, address: parts[3]!, serverCertPem, stderr: () => stderr };
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.on('exit', (code) => resolve(code));
  });

describe('Terraform provider process: go-plugin handshake and mutual TLS', function () {
  this.timeout(30_000);
  const root = loadProtocol();
  const Provider = (root.tfplugin6 as grpc.GrpcObject).Provider as grpc.ServiceClientConstructor;
  const Controller = (root.plugin as grpc.GrpcObject).GRPCController as grpc.ServiceClientConstructor;
  const clientCert = createServerCertificate();
  const started: ChildProcess[] = [];

  after(() => {
    for (const c of started) if (c.exitCode === null) c.kill('SIGKILL');
  });

  const tls = (s: Started, withClientCert = true) =>
    withClientCert
      ? grpc.credentials.createSsl(
          Buffer.from(s.serverCertPem),
          Buffer.from(clientCert.keyPem),
          Buffer.from(clientCert.certPem),
        )
      : grpc.credentials.createSsl(Buffer.from(s.serverCertPem));
  const options = { 'grpc.ssl_target_name_override': 'localhost' };
  type Callback = (err: Error | null, res: Record<string, unknown>) => void;
  const unary = (client: grpc.Client, method: string, request: unknown) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const rpc = (client as unknown as Record<string, (req: unknown, cb: Callback) => void>)[method]!;
      rpc.call(client, request, (err, res) => (err ? reject(err) : resolve(res)));
    });

  it('serves the provider schema over mutual TLS and exits at once on Shutdown', async () => {
    const s = await startProvider(clientCert.certPem);
    started.push(s.child);
    const provider = new Provider(s.address, tls(s), options);
    const schema = await unary(provider, 'GetProviderSchema', {});
    const resources = schema.resource_schemas as Record<
      string,
      { block: { attributes: { name: string; write_only: boolean }[] } }
    >;
    expect(Object.keys(resources)).to.have.members([
      'tollgate_oauth2_client',
      'tollgate_jwk_set',
      'tollgate_trusted_jwt_grant_issuer',
    ]);
    const wo = resources.tollgate_oauth2_client!.block.attributes.find((a) => a.name === 'client_secret_wo');
    expect(wo?.write_only).to.equal(true);
    expect(Object.keys(schema.data_source_schemas as object)).to.deep.equal(['tollgate_oauth2_client']);
    provider.close();

    const controller = new Controller(s.address, tls(s), options);
    const t0 = Date.now();
    await unary(controller, 'Shutdown', {});
    expect(await exited(s.child)).to.equal(0);
    expect(Date.now() - t0).to.be.below(1500); // go-plugin kills a plugin still running 2 s after Shutdown
    controller.close();
    expect(s.stderr()).not.to.contain('error');
  });

  it('refuses a client without the certificate Terraform announced', async () => {
    const s = await startProvider(clientCert.certPem);
    started.push(s.child);
    const stranger = new Provider(s.address, tls(s, false), {
      ...options,
      'grpc.initial_reconnect_backoff_ms': 100,
    });
    const err = await unary(stranger, 'GetProviderSchema', {}).then(
      () => null,
      (e: Error) => e,
    );
    expect(err, 'a client without a certificate was served').to.be.instanceOf(Error);
    stranger.close();
    s.child.kill('SIGTERM');
    expect(await exited(s.child)).to.not.equal(null);
  });

  it('the hydra executable serves the svrakitin/hydra names', async () => {
    const s = await startProvider(clientCert.certPem, 'terraform-provider-hydra');
    started.push(s.child);
    const provider = new Provider(s.address, tls(s), options);
    const schema = await unary(provider, 'GetProviderSchema', {});
    expect(Object.keys(schema.resource_schemas as object)).to.have.members([
      'hydra_oauth2_client',
      'hydra_jwks',
    ]);
    provider.close();
    s.child.kill('SIGTERM');
    await exited(s.child);
  });
});

describe('Terraform provider process: Ctrl-C during apply (real terraform)', function () {
  this.timeout(60_000);
  let blackhole: Server;
  let tf: TerraformWorkspace;
  const connected: Socket[] = [];

  before(async () => {
    // An admin API that accepts connections and never answers.
    blackhole = createServer((socket) => connected.push(socket.on('error', () => {})));
    await new Promise<void>((resolve) => blackhole.listen(0, '127.0.0.1', resolve));
    tf = terraformWorkspace();
  });

  after(() => {
    for (const s of connected) s.destroy();
    blackhole?.close();
    tf?.remove();
  });

  it('StopProvider cancels the hanging request and terraform stops at once with a clear error', async () => {
    const { port } = blackhole.address() as AddressInfo;
    tf.write(
      'main.tf',
      `terraform {
  required_providers {
    tollgate = { source = "tollgate/tollgate" }
  }
}
provider "tollgate" { endpoint = "http://127.0.0.1:${port}" }
resource "tollgate_oauth2_client" "a" { client_name = "never created" }
`,
    );
    const child = spawn('terraform', ['apply', '-auto-approve', '-no-color', '-input=false'], {
      cwd: tf.dir,
      env: tf.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (d) => {
      output += d;
    });
    child.stderr!.on('data', (d) => {
      output += d;
    });
    const deadline = Date.now() + 40_000;
    while (connected.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(connected.length, output).to.be.greaterThan(0);
    const t0 = Date.now();
    child.kill('SIGINT');
    const code = await exited(child);
    expect(Date.now() - t0).to.be.below(5000);
    expect(code).to.equal(1);
    expect(output).to.match(/Terraform\s+asked\s+the\s+provider\s+to\s+stop/); // terraform wraps long lines
    expect(readFileSync(join(tf.dir, 'provider.log'), 'utf8')).to.contain('StopProvider');
  });
});
