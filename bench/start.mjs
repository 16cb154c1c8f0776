// `npm run bench:start`: how long `npm start` (`tollgate serve all --dev`, DSN unset) takes until it listens,
// on a first start into an empty directory (initdb, migrations) and then on warm starts that reuse its
// `.tollgate/`. Each start is timed from spawn to the "Tollgate is listening" line on stderr, then
// `/health/ready` must answer 200; the server's own "ready in" figure is shown beside it.
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'bin', 'tollgate.js');

const { values: args } = parseArgs({
  options: {
    warm: { type: 'string', default: '5' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (args.help) {
  process.stdout.write(`npm run bench:start -- [--warm N]
  --warm N   warm starts after the first one (default 5); the median is reported
`);
  process.exit(0);
}
const warmRuns = Number(args.warm);
if (!Number.isInteger(warmRuns) || warmRuns < 1 || warmRuns > 50) {
  process.stderr.write('--warm must be an integer between 1 and 50\n');
  process.exit(2);
}

const freePort = () =>
  new Promise((done, fail) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => done(port));
    });
    srv.on('error', fail);
  });

async function start(cwd) {
  const [publicPort, adminPort] = [await freePort(), await freePort()];
  const began = performance.now();
  const child = spawn(process.execPath, [BIN, 'serve', 'all', '--dev'], {
    cwd,
    env: {
      ...process.env,
      DSN: '',
      SECRETS_SYSTEM: '',
      SERVE_PUBLIC_HOST: '127.0.0.1',
      SERVE_ADMIN_HOST: '127.0.0.1',
      SERVE_PUBLIC_PORT: String(publicPort),
      SERVE_ADMIN_PORT: String(adminPort),
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const listening = await new Promise((done, fail) => {
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      if (/Tollgate is listening/.test(stderr)) done(performance.now() - began);
    });
    child.on('exit', (code) => fail(new Error(`exited with ${code} before listening:\n${stderr}`)));
  });
  const ready = await fetch(`http://127.0.0.1:${adminPort}/health/ready`);
  if (ready.status !== 200) throw new Error(`/health/ready answered ${ready.status}`);
  // The server's own figure, printed a moment after the listening line.
  await new Promise((r) => setTimeout(r, 50));
  const reported = /ready in ([\d.]+) s/.exec(stderr)?.[1];
  child.removeAllListeners('exit');
  const exited = new Promise((done) => child.once('exit', done));
  child.kill('SIGTERM');
  const code = await exited;
  if (code !== 0) throw new Error(`exited with ${code} on SIGTERM:\n${stderr}`);
  return { ms: listening, reported };
}

const cwd = await mkdtemp(join(tmpdir(), 'tollgate-bench-start-'));
// As root, PostgreSQL runs as the `postgres` user, which must reach the data directory below cwd.
await chmod(cwd, 0o755);
try {
  const first = await start(cwd);
  const warm = [];
  for (let i = 0; i < warmRuns; i++) warm.push(await start(cwd));
  const sorted = warm.map((w) => w.ms).sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  const s = (ms) => (ms / 1000).toFixed(2);
  const shown = (r) => (r.reported === undefined ? '' : ` (server says ${r.reported} s)`);
  process.stdout.write(
    [
      `first start: ${s(first.ms)} s${shown(first)}`,
      `warm start:  ${s(median)} s median of ${warm.length} (min ${s(sorted[0])}, max ${s(sorted.at(-1))})`,
      ...warm.map((w, i) => `  warm ${i + 1}: ${s(w.ms)} s${shown(w)}`),
      `node ${process.version}, load average ${(await import('node:os')).loadavg()[0].toFixed(2)}`,
      '',
    ].join('\n'),
  );
} finally {
  await rm(cwd, { recursive: true, force: true });
}
