// `npm run bench:cli`: wall time of the CLI's quick commands (version, --version, --help, help texts) against a
// bare `node -e ''` on the same machine. The commands are run interleaved, one of each per round, so a busy
// moment of a shared machine falls on all of them alike; the figure that matters is the ratio of medians.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '20' },
    bin: { type: 'string', default: fileURLToPath(new URL('../bin/tollgate.js', import.meta.url)) },
    help: { type: 'boolean', short: 'h' },
  },
});
if (args.help) {
  process.stdout.write(`npm run bench:cli -- [--runs N] [--bin FILE]
  --runs N    measured runs of each command (default 20), after one unmeasured warm-up run
  --bin FILE  the script node runs as tollgate (default bin/tollgate.js)
`);
  process.exit(0);
}
const BIN = resolve(args.bin);
const runs = Number(args.runs);
if (!Number.isInteger(runs) || runs < 1) {
  process.stderr.write('--runs must be a positive integer\n');
  process.exit(2);
}

const BASELINE = "node -e ''";
const commands = [
  [BASELINE, ['-e', '']],
  ...[
    ['version'],
    ['--version'],
    ['--help'],
    ['help', 'create'],
    ['create', 'client', '--help'],
    ['migrate', 'sql', 'up', '--help'],
  ].map((argv) => [`tollgate ${argv.join(' ')}`, [BIN, ...argv]]),
];

function once(argv) {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) {
    throw new Error(`node ${argv.join(' ')} exited with ${result.status}: ${String(result.stderr)}`);
  }
  return ms;
}

const times = new Map(commands.map(([name]) => [name, []]));
for (const [, argv] of commands) once(argv);
for (let round = 0; round < runs; round++) {
  for (const [name, argv] of commands) times.get(name).push(once(argv));
}

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const stats = commands.map(([name]) => {
  const sorted = [...times.get(name)].sort((a, b) => a - b);
  return { name, median: quantile(sorted, 0.5), p90: quantile(sorted, 0.9) };
});
const base = stats[0].median;
const width = Math.max(...stats.map((s) => s.name.length));
process.stdout.write(
  `${'command'.padEnd(width)}  median ms   p90 ms   × ${BASELINE} (median)   [${runs} runs, node ${process.version}]\n`,
);
for (const s of stats) {
  process.stdout.write(
    `${s.name.padEnd(width)}  ${s.median.toFixed(0).padStart(9)}  ${s.p90.toFixed(0).padStart(7)}   ${(s.median / base).toFixed(2).padStart(6)}\n`,
  );
}
