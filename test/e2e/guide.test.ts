// The founding guide, end to end: the commands of compose.yml (migrate, then serve) run as real processes
// with compose.yml's environment against a real PostgreSQL, then the guide's curl commands, verbatim but for
// the ports. No Docker engine runs here, so compose.yml is parsed and its two commands are run directly.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { parse as parseYaml } from 'yaml';
import { loadContract } from '../../server/http/contract.js';
import { GUIDE_CREATE_RESPONSE_KEYS, HYDRA_INTROSPECTION_KEYS } from '../helpers/hydra.js';
import { createDatabase } from '../helpers/postgres.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = `${ROOT}bin/tollgate.js`;
const contract = loadContract();

interface ComposeService {
  command: string;
  environment: string[];
}

/** The service's environment with compose's `${VAR:-default}` resolved against `vars`, then the defaults. */
function serviceEnv(service: ComposeService, vars: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of service.environment) {
    const [name, ...rest] = entry.split('=');
    env[name!] = rest
      .join('=')
      .replace(/\$\{(\w+):-([^}]*)\}/g, (_, v: string, fallback: string) => vars[v] ?? fallback);
  }
  return env;
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

async function curl(...args: string[]): Promise<{ status: number; body: string }> {
  const { stdout } = await run('curl', ['-s', '-w', '\n%{http_code}', ...args]);
  const lines = stdout.split('\n');
  const status = Number(lines.pop());
  return { status, body: lines.join('\n') };
}

function conforms(operationId: string, status: number, body: unknown) {
  const type = body === undefined ? undefined : 'application/json';
  expect(contract.checkResponse(operationId, status, type, body), operationId).to.equal(null);
}

describe('the Hydra client-credentials guide, against compose.yml commands on a real PostgreSQL', function () {
  this.timeout(120_000);
  const compose = parseYaml(readFileSync(`${ROOT}compose.yml`, 'utf8')) as {
    services: Record<
      string,
      ComposeService & { image?: string; depends_on?: unknown; healthcheck?: unknown }
    >;
  };
  let server: ChildProcess | undefined;
  let stderr = '';
  let publicUrl = '';
  let adminUrl = '';

  after(async () => {
    if (server && server.exitCode === null) {
      server.kill('SIGTERM');
      await new Promise((resolve) => server?.once('exit', resolve));
    }
  });

  it('compose.yml is shaped like the guide: postgres with a health check, a one-shot migration, then serve', () => {
    const { postgresd, 'tollgate-migrate': migrate, tollgate } = compose.services;
    expect(postgresd?.image).to.equal('postgres:18-alpine');
    expect(postgresd?.healthcheck).to.be.an('object');
    expect(migrate?.command).to.equal('migrate sql up -e --yes');
    expect(tollgate?.command).to.equal('serve all --dev');
    expect(tollgate?.depends_on).to.deep.equal({
      'tollgate-migrate': { condition: 'service_completed_successfully' },
    });
  });

  it('runs the migration job, then serves on the migrated database', async () => {
    const dsn = new URL(await createDatabase('guide'));
    // compose.yml's DSN with the test database's host and credentials; its pool options stay.
    dsn.search = '?sslmode=disable&max_conns=20&max_idle_conns=4';
    const vars = { DSN: dsn.toString() };
    const migrateEnv = serviceEnv(compose.services['tollgate-migrate']!, vars);
    const migrated = await run('node', [BIN, ...compose.services['tollgate-migrate']!.command.split(' ')], {
      env: { ...process.env, ...migrateEnv },
    });
    expect(migrated.stdout).to.match(/Successfully applied migrations/);
    // A second run is a no-op, as a restarted one-shot job must be.
    const again = await run('node', [BIN, ...compose.services['tollgate-migrate']!.command.split(' ')], {
      env: { ...process.env, ...migrateEnv },
    });
    expect(again.stdout).to.match(/nothing to do/);

    const [publicPort, adminPort] = [await freePort(), await freePort()];
    const env = {
      ...process.env,
      ...serviceEnv(compose.services.tollgate!, vars),
      SERVE_PUBLIC_PORT: String(publicPort),
      SERVE_ADMIN_PORT: String(adminPort),
      SERVE_PUBLIC_HOST: '127.0.0.1',
      SERVE_ADMIN_HOST: '127.0.0.1',
    };
    server = spawn('node', [BIN, ...compose.services.tollgate!.command.split(' ')], { env, stdio: 'pipe' });
    server.stderr?.on('data', (chunk) => {
      stderr += String(chunk);
    });
    server.stdout?.resume();
    const started = Date.now();
    while (!/Tollgate is listening/.test(stderr)) {
      if (server.exitCode !== null || Date.now() - started > 60_000)
        throw new Error(`server did not start: ${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    publicUrl = `http://127.0.0.1:${publicPort}`;
    adminUrl = `http://127.0.0.1:${adminPort}`;
    const ready = await curl(`${adminUrl}/health/ready`);
    expect(ready.status).to.equal(200);
    conforms('isReady', ready.status, JSON.parse(ready.body));
    // compose's health check for the server, run as the image would (its WORKDIR holds dist/).
    const [form, command, ...args] = (compose.services.tollgate!.healthcheck as { test: string[] }).test;
    expect([form, command]).to.deep.equal(['CMD', 'node']);
    await run('node', args as string[], { cwd: ROOT, env });
  });

  it('creates a client, gets a token, introspects it active, deletes the tokens, introspects it inactive', async () => {
    const created = await curl(
      '-X',
      'POST',
      `${adminUrl}/admin/clients`,
      '--json',
      '{ "access_token_strategy": "opaque", "client_name": "my_client", "client_secret": "my_secret", "grant_types": ["client_credentials"], "scope": "api" }',
    );
    expect(created.status).to.equal(201);
    const client = JSON.parse(created.body);
    conforms('createOAuth2Client', created.status, client);
    // The guide's response, key for key and in the same order.
    expect(Object.keys(client)).to.deep.equal(GUIDE_CREATE_RESPONSE_KEYS);
    expect(client).to.include({
      client_name: 'my_client',
      client_secret: 'my_secret',
      scope: 'api',
      token_endpoint_auth_method: 'client_secret_basic',
      access_token_strategy: 'opaque',
    });
    expect(client.redirect_uris).to.equal(null);
    expect(client.audience).to.deep.equal([]);
    const id: string = client.client_id;

    const issued = await curl(
      '-u',
      `${id}:my_secret`,
      '-X',
      'POST',
      `${publicUrl}/oauth2/token`,
      '-H',
      'Content-Type: application/x-www-form-urlencoded',
      '--data-raw',
      'grant_type=client_credentials&scope=api',
    );
    expect(issued.status).to.equal(200);
    const token = JSON.parse(issued.body);
    conforms('oauth2TokenExchange', issued.status, token);
    expect(Object.keys(token).sort()).to.deep.equal(['access_token', 'expires_in', 'scope', 'token_type']);
    expect(token).to.include({ expires_in: 3599, scope: 'api', token_type: 'bearer' });
    expect(token.access_token).to.match(/^ory_at_[\w-]{43}\.[\w-]{43}$/);

    const introspect = () =>
      curl(
        '-X',
        'POST',
        `${adminUrl}/admin/oauth2/introspect`,
        '-H',
        'Content-Type: application/x-www-form-urlencoded',
        '--data-raw',
        `token=${token.access_token}&scop=api`,
      );
    const active = await introspect();
    expect(active.status).to.equal(200);
    const info = JSON.parse(active.body);
    conforms('introspectOAuth2Token', active.status, info);
    expect(Object.keys(info)).to.deep.equal(HYDRA_INTROSPECTION_KEYS);
    expect(info).to.include({ active: true, scope: 'api', client_id: id, sub: id, token_type: 'Bearer' });
    expect(info.exp - info.iat).to.equal(3600);
    expect(info.aud).to.deep.equal([]);

    const deleted = await curl('-X', 'DELETE', `${adminUrl}/admin/oauth2/tokens?client_id=${id}`);
    expect(deleted).to.deep.equal({ status: 204, body: '' });

    const inactive = await introspect();
    expect(inactive.status).to.equal(200);
    expect(JSON.parse(inactive.body)).to.deep.equal({ active: false });
  });

  it('stops on SIGTERM with exit code 0', async () => {
    server!.kill('SIGTERM');
    const code = await new Promise((resolve) => server!.once('exit', resolve));
    expect(code).to.equal(0);
    expect(stderr).not.to.match(/my_secret|ory_at_/);
  });
});
