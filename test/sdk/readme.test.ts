// The README's "Use from TypeScript" examples are real code: every ```ts block there type-checks against the
// SDK, and the first one (admin API and errors) runs against a real server through the built package.
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { createAdminClient } from '../../sdk/index.js';
import { consumerProject, REPO_ROOT } from '../helpers/sdk.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { describeDiagnostics, typecheck } from '../helpers/typecheck.js';

const ROOT = REPO_ROOT;
const run = promisify(execFile);
// tsx's loader (the package's main export), to run the TypeScript example as a user of the package would.
const TSX = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;

async function examples(): Promise<string[]> {
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## Use from TypeScript\n');
  expect(start, 'README has a "Use from TypeScript" section').to.be.greaterThan(0);
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end === -1 ? undefined : end);
  return [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

describe('README: Use from TypeScript', function () {
  this.timeout(120_000);

  it('has examples for the admin client, the token source (secret, private key) and the introspector, all of which compile', async () => {
    const blocks = await examples();
    expect(blocks).to.have.length(4);
    expect(blocks[0]).to.include('createAdminClient');
    expect(blocks[1]).to.include('clientCredentials');
    expect(blocks[2]).to.include('privateKeyJwt');
    expect(blocks[3]).to.include('introspector');
    const results = await typecheck(Object.fromEntries(blocks.map((code, i) => [`example${i + 1}`, code])));
    for (const [name, diagnostics] of Object.entries(results)) {
      expect(describeDiagnostics(diagnostics), name).to.equal('');
    }
  });

  describe('the admin example, run', () => {
    let server: TestServer;
    let consumer: Awaited<ReturnType<typeof consumerProject>>;
    before(async () => {
      server = await startTestServer();
      consumer = await consumerProject();
    });
    after(async () => {
      await server.close();
      await consumer.remove();
    });

    it('creates the client and reports the 404 as OAuth2ApiError, as its comments say', async () => {
      const [first] = await examples();
      await writeFile(join(consumer.dir, 'example.ts'), first!);
      const { stdout } = await run(process.execPath, ['--import', TSX, 'example.ts'], {
        cwd: consumer.dir,
        env: { PATH: process.env.PATH, TOLLGATE_ADMIN_URL: server.adminUrl },
      });
      const [created, failure] = stdout.trim().split('\n');
      const [id, secret] = created!.split(' ');
      expect(secret).to.be.a('string').with.length.greaterThan(5);
      const { data } = await createAdminClient({ baseUrl: server.adminUrl }).GET('/admin/clients/{id}', {
        params: { path: { id: id! } },
      });
      expect(data).to.include({ client_name: 'billing', scope: 'invoices:read' });
      expect(failure).to.equal('404 Unable to locate the resource');
    });
  });
});

describe('README: Sign users in', () => {
  it('shows examples/login-consent-app.ts unchanged, and it compiles against the SDK', async () => {
    const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
    const at = readme.indexOf('<!-- examples/login-consent-app.ts');
    expect(at, 'the example marker in README.md').to.be.greaterThan(-1);
    const block = /```ts\n([\s\S]*?)```/.exec(readme.slice(at));
    const example = await readFile(join(ROOT, 'examples/login-consent-app.ts'), 'utf8');
    expect(block?.[1]).to.equal(example);
    const { app } = await typecheck({ app: example });
    expect(describeDiagnostics(app!)).to.equal('');
  });
});
