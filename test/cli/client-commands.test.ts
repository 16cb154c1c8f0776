// The client-side CLI against a real server, run as users run it (`node bin/tollgate.js …` in a child process):
// Hydra's command names and flags, the URL from --endpoint or the environment, every output format, clear
// one-line errors on stderr, exit code 1 for the server's or the network's errors and 2 for usage errors.
import { execFile } from 'node:child_process';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { parse as parseYaml } from 'yaml';
import { clientCredentials, createAdminClient } from '../../sdk/index.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const BIN = fileURLToPath(new URL('../../bin/tollgate.js', import.meta.url));

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function tollgate(args: string[], env: Record<string, string> = {}, stdin?: string): Promise<Result> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [BIN, ...args],
      // A clean environment: only what the test passes (no TOLLGATE_* from the developer's shell).
      { env: { PATH: process.env.PATH, ...env } },
      (error, stdout, stderr) => resolve({ code: error ? (error.code as number) : 0, stdout, stderr }),
    );
    if (stdin !== undefined) child.stdin!.end(stdin);
  });
}

function ok(result: Result): string {
  expect(result.stderr, result.stderr).to.equal('');
  expect(result.code, result.stderr).to.equal(0);
  return result.stdout;
}

describe('tollgate client commands (CLI over the SDK)', function () {
  // Each command is a fresh node process; on a busy machine that takes seconds.
  this.timeout(240_000);
  let server: TestServer;
  let env: Record<string, string>;
  const admin = () => createAdminClient({ baseUrl: server.adminUrl });

  before(async () => {
    server = await startTestServer();
    env = { TOLLGATE_ADMIN_URL: server.adminUrl };
  });
  after(() => server.close());

  it('create client takes Hydra flags and prints the client with its secret', async () => {
    const out = ok(
      await tollgate(
        [
          'create',
          'client',
          '--name',
          'cli-svc',
          '--grant-type',
          'client_credentials',
          '--scope',
          'read,write',
          '--scope',
          'admin',
          '--audience',
          'https://a.example,https://b.example',
          '--token-endpoint-auth-method',
          'client_secret_post',
          '--owner',
          'team-x',
          '--metadata',
          '{"tier":"gold"}',
          '--client-credentials-grant-access-token-lifespan',
          '30m',
          '--secret',
          'cli-secret-0123456789',
          '--format',
          'json',
        ],
        env,
      ),
    );
    const created = JSON.parse(out);
    expect(created.client_secret).to.equal('cli-secret-0123456789');
    const { data } = await admin().GET('/admin/clients/{id}', {
      params: { path: { id: created.client_id } },
    });
    expect(data).to.include({
      client_name: 'cli-svc',
      scope: 'read write admin',
      token_endpoint_auth_method: 'client_secret_post',
      owner: 'team-x',
      client_credentials_grant_access_token_lifespan: '30m0s',
    });
    expect(data.grant_types).to.deep.equal(['client_credentials']);
    expect(data.audience).to.deep.equal(['https://a.example', 'https://b.example']);
    expect(data.metadata).to.deep.equal({ tier: 'gold' });
  });

  it('create client --id and --file (stdin), and -q prints only the id', async () => {
    const quiet = ok(await tollgate(['create', 'oauth2-client', '--id', 'cli-fixed-id', '-q'], env));
    expect(quiet).to.equal('cli-fixed-id\n');
    const fromFile = JSON.parse(
      ok(
        await tollgate(
          ['create', 'client', '--file', '-', '--format', 'json'],
          env,
          JSON.stringify({ client_id: 'cli-from-file', grant_types: ['client_credentials'], scope: 'x' }),
        ),
      ),
    );
    expect(fromFile).to.include({ client_id: 'cli-from-file', scope: 'x' });
  });

  it('get client prints one client as rows, several as a table, and JSON on request', async () => {
    await admin().POST('/admin/clients', {
      body: { client_id: 'cli-get-1', scope: 's1', grant_types: ['client_credentials'] },
    });
    await admin().POST('/admin/clients', { body: { client_id: 'cli-get-2', scope: 's2' } });
    const one = ok(await tollgate(['get', 'client', 'cli-get-1'], env));
    expect(one).to.match(/^CLIENT ID\s+cli-get-1$/m);
    expect(one).to.match(/^GRANT TYPES\s+client_credentials$/m);
    expect(one).to.match(/^SCOPE\s+s1$/m);
    const many = ok(await tollgate(['get', 'client', 'cli-get-1', 'cli-get-2'], env)).split('\n');
    expect(many[0]).to.match(/^CLIENT ID\s+CLIENT SECRET\s+GRANT TYPES/);
    expect(many[1]).to.match(/^cli-get-1\s/);
    expect(many[2]).to.match(/^cli-get-2\s/);
    const pretty = ok(
      await tollgate(['get', 'client', 'cli-get-1', 'cli-get-2', '--format', 'json-pretty'], env),
    );
    expect(pretty).to.include('\n  {\n');
    expect(JSON.parse(pretty).map((c: { client_id: string }) => c.client_id)).to.deep.equal([
      'cli-get-1',
      'cli-get-2',
    ]);
    const yaml = parseYaml(ok(await tollgate(['get', 'client', 'cli-get-2', '--format', 'yaml'], env)));
    expect(yaml).to.include({ client_id: 'cli-get-2', scope: 's2' });
  });

  it('list clients pages with --page-size and --page-token (URL from ORY_SDK_URL, as with Hydra)', async () => {
    const hydraEnv = { ORY_SDK_URL: server.adminUrl };
    const first = JSON.parse(
      ok(await tollgate(['list', 'clients', '--page-size', '1', '--format', 'json'], hydraEnv)),
    );
    expect(first.items).to.have.length(1);
    expect(first.is_last_page).to.equal(false);
    expect(first.next_page_token).to.be.a('string').that.is.not.empty;
    const second = JSON.parse(
      ok(
        await tollgate(
          [
            'list',
            'oauth2-clients',
            '--page-size',
            '1',
            '--page-token',
            first.next_page_token,
            '--format',
            'json',
          ],
          hydraEnv,
        ),
      ),
    );
    expect(second.items).to.have.length(1);
    expect(second.items[0].client_id).not.to.equal(first.items[0].client_id);
    const table = ok(await tollgate(['list', 'clients'], hydraEnv));
    expect(table.split('\n')[0]).to.match(/^CLIENT ID\s+CLIENT SECRET/);
    expect(table).to.match(/^IS LAST PAGE\s+true$/m);
  });

  it('update client changes only the given fields; --file replaces the client', async () => {
    await admin().POST('/admin/clients', {
      body: { client_id: 'cli-upd', client_name: 'before', grant_types: ['client_credentials'], scope: 'a' },
    });
    ok(await tollgate(['update', 'client', 'cli-upd', '--name', 'after', '--scope', 'a,b'], env));
    let { data } = await admin().GET('/admin/clients/{id}', { params: { path: { id: 'cli-upd' } } });
    expect(data).to.include({ client_name: 'after', scope: 'a b' });
    expect(data.grant_types).to.deep.equal(['client_credentials']);

    ok(
      await tollgate(
        ['update', 'client', 'cli-upd', '--file', '-'],
        env,
        JSON.stringify({ client_name: 'whole' }),
      ),
    );
    ({ data } = await admin().GET('/admin/clients/{id}', { params: { path: { id: 'cli-upd' } } }));
    expect(data.client_name).to.equal('whole');
    expect(data.grant_types).to.deep.equal([]);

    const nothing = await tollgate(['update', 'client', 'cli-upd'], env);
    expect(nothing.code).to.equal(2);
    expect(nothing.stderr).to.equal('tollgate: nothing to update: pass client flags or --file\n');
  });

  describe('token commands', () => {
    const secret = 'cli-cc-secret-0123456789';
    const auth = ['--client-id', 'cli-cc', '--client-secret', secret];
    const newToken = (scope = 'read') =>
      clientCredentials({
        tokenUrl: `${server.publicUrl}/oauth2/token`,
        clientId: 'cli-cc',
        clientSecret: secret,
        scope,
      }).getToken();
    before(async () => {
      await admin().POST('/admin/clients', {
        body: {
          client_id: 'cli-cc',
          client_secret: secret,
          grant_types: ['client_credentials'],
          scope: 'read write',
          audience: ['https://api.example'],
        },
      });
    });

    it('perform client-credentials prints the token (table, JSON, or bare with -q)', async () => {
      const table = ok(
        await tollgate([
          'perform',
          'client-credentials',
          '--endpoint',
          server.publicUrl,
          ...auth,
          '--scope',
          'read',
        ]),
      );
      expect(table).to.match(/^ACCESS TOKEN\s+ory_at_\S+$/m);
      expect(table).to.match(/^EXPIRY\s+\d{4}-\d\d-\d\dT/m);
      const json = JSON.parse(
        ok(
          await tollgate([
            'perform',
            'client-credentials',
            '-e',
            server.publicUrl,
            ...auth,
            '--scope',
            'read,write',
            '--audience',
            'https://api.example',
            '--format',
            'json',
          ]),
        ),
      );
      expect(json).to.include({ scope: 'read write', token_type: 'bearer' });
      // Credentials from Hydra's environment variables; -q prints the bare token for scripts.
      const token = ok(
        await tollgate(['perform', 'client-credentials', '-q', '--scope', 'read'], {
          TOLLGATE_PUBLIC_URL: server.publicUrl,
          OAUTH2_CLIENT_ID: 'cli-cc',
          OAUTH2_CLIENT_SECRET: secret,
        }),
      ).trim();
      expect(token).to.match(/^ory_at_[\w-]+\.[\w-]+$/);
      const { data } = await admin().POST('/admin/oauth2/introspect', { body: { token } });
      expect(data).to.include({ active: true, client_id: 'cli-cc', scope: 'read' });
    });

    it('perform client-credentials with a wrong secret prints the OAuth error and exits with 1', async () => {
      const refused = await tollgate([
        'perform',
        'client-credentials',
        '-e',
        server.publicUrl,
        '--client-id',
        'cli-cc',
        '--client-secret',
        'wrong',
      ]);
      expect(refused.code).to.equal(1);
      expect(refused.stdout).to.equal('');
      expect(refused.stderr).to.match(/^tollgate: the server answered 401: invalid_client: .+\n$/);
    });

    it('introspect token prints the answer, and checks --scope', async () => {
      const token = await newToken();
      const info = JSON.parse(ok(await tollgate(['introspect', 'token', token, '--format', 'json'], env)));
      expect(info).to.include({ active: true, client_id: 'cli-cc', scope: 'read' });
      const rows = ok(await tollgate(['introspect', 'token', token], env));
      expect(rows).to.match(/^ACTIVE\s+true$/m);
      expect(rows).to.match(/^CLIENT ID\s+cli-cc$/m);
      const scoped = JSON.parse(
        ok(await tollgate(['introspect', 'token', token, '--scope', 'write', '--format', 'json'], env)),
      );
      expect(scoped).to.deep.equal({ active: false });
    });

    it('revoke token and delete access-tokens make tokens inactive', async () => {
      const revoked = await newToken();
      ok(await tollgate(['revoke', 'token', revoked, '--endpoint', server.publicUrl, ...auth]));
      const introspect = async (token: string) =>
        (await admin().POST('/admin/oauth2/introspect', { body: { token } })).data;
      expect(await introspect(revoked)).to.deep.equal({ active: false });

      const other = await newToken();
      expect((await introspect(other)).active).to.equal(true);
      expect(ok(await tollgate(['delete', 'access-tokens', 'cli-cc', '-q'], env))).to.equal('cli-cc\n');
      expect(await introspect(other)).to.deep.equal({ active: false });
    });
  });

  it('delete client deletes every id it can, reports the others on stderr and exits with 1', async () => {
    await admin().POST('/admin/clients', { body: { client_id: 'cli-del' } });
    const result = await tollgate(['delete', 'client', 'cli-del', 'cli-no-such-client'], env);
    expect(result.code).to.equal(1);
    expect(result.stdout).to.match(/^CLIENT ID\ncli-del\n$/);
    expect(result.stderr).to.equal(
      'tollgate: cannot delete client cli-no-such-client: the server answered 404: Unable to locate the resource\n',
    );
    const gone = await admin()
      .GET('/admin/clients/{id}', { params: { path: { id: 'cli-del' } } })
      .then(
        () => 'found',
        (err: { status: number }) => err.status,
      );
    expect(gone).to.equal(404);
  });

  it('fails clearly, without a stack trace, on a missing, wrong or unreachable URL (2, 2, 1) and on bad input (2)', async () => {
    const missing = await tollgate(['get', 'client', 'x']);
    expect(missing.code).to.equal(2);
    expect(missing.stderr).to.equal(
      'tollgate: no admin API URL: pass --endpoint or set TOLLGATE_ADMIN_URL\n',
    );

    const notUrl = await tollgate(['get', 'client', 'x', '--endpoint', 'localhost 4445']);
    expect(notUrl.code).to.equal(2);
    expect(notUrl.stderr).to.include('is not a URL');

    const closed = await new Promise<number>((resolve) => {
      const srv = createServer().listen(0, '127.0.0.1', () => {
        const { port } = srv.address() as AddressInfo;
        srv.close(() => resolve(port));
      });
    });
    const unreachable = await tollgate(['list', 'clients', '-e', `http://127.0.0.1:${closed}`]);
    expect(unreachable.code).to.equal(1);
    expect(unreachable.stderr).to.match(
      /^tollgate: could not reach the server: GET http:\/\/127\.0\.0\.1:\d+\/admin\/clients failed: .*ECONNREFUSED.*\n$/,
    );
    expect(unreachable.stderr).not.to.match(/\n\s+at /);

    const badFormat = await tollgate(['list', 'clients', '--format', 'xml'], env);
    expect(badFormat.code).to.equal(2);
    expect(badFormat.stderr).to.include("option '--format <format>' argument 'xml' is invalid");

    const badMetadata = await tollgate(['create', 'client', '--metadata', '{tier:gold}'], env);
    expect(badMetadata.code).to.equal(2);
    expect(badMetadata.stderr).to.match(/^tollgate: --metadata is not valid JSON: .+\n$/);

    const badPageSize = await tollgate(['list', 'clients', '--page-size', 'ten'], env);
    expect(badPageSize.code).to.equal(2);
    expect(badPageSize.stderr).to.include('expected a positive whole number');
  });

  it('sends --token (or TOLLGATE_ADMIN_TOKEN) as a bearer token, and -H headers', async () => {
    const seen: IncomingHttpHeaders[] = [];
    const recorder = createServer((req, res) => {
      seen.push(req.headers);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"client_id":"recorded"}');
    });
    await new Promise<void>((resolve) => recorder.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(recorder.address() as AddressInfo).port}`;
    try {
      ok(
        await tollgate(['get', 'client', 'recorded', '-H', 'X-Tenant: blue'], {
          TOLLGATE_ADMIN_URL: url,
          TOLLGATE_ADMIN_TOKEN: 'env-token',
        }),
      );
      ok(await tollgate(['get', 'client', 'recorded', '--token', 'flag-token', '-e', url]));
      expect(seen.map((h) => h.authorization)).to.deep.equal(['Bearer env-token', 'Bearer flag-token']);
      expect(seen[0]!['x-tenant']).to.equal('blue');
    } finally {
      recorder.close();
    }
  });
});
