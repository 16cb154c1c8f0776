// Start-up time of the Terraform provider process (exec → go-plugin handshake line), which Terraform pays
// 2–5 times per command. Reported as ratios against a bare `node -e ''` measured in the same run, since the
// machine is shared. The executables run the compiled provider (npm run build).
// Run: npx tsx bench/terraform-provider-startup.ts [runs]
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../dist/cdktf/provider/bin/terraform-provider-tollgate', import.meta.url));
const COOKIE = 'd602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2';
const runs = Number(process.argv[2] ?? 15);

function once(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  untilOutput: boolean,
): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    child.on('error', reject);
    if (untilOutput) {
      child.stdout.once('data', () => {
        resolve(performance.now() - t0);
        child.kill('SIGTERM');
      });
    } else child.on('exit', () => resolve(performance.now() - t0));
  });
}

async function measure(label: string, run: () => Promise<number>) {
  await run(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await run());
  times.sort((a, b) => a - b);
  return { label, min: times[0]!, median: times[Math.floor(times.length / 2)]! };
}

const plugin = { TF_PLUGIN_MAGIC_COOKIE: COOKIE, PLUGIN_PROTOCOL_VERSIONS: '5,6' };
const results = [
  await measure("node -e '' (baseline)", () => once(process.execPath, ['-e', ''], {}, false)),
  await measure('provider, compiled', () => once(BIN, [], plugin, true)),
];
const base = results[0]!.median;
for (const r of results) {
  process.stdout.write(
    `${r.label.padEnd(28)} min ${r.min.toFixed(0).padStart(5)} ms  median ${r.median.toFixed(0).padStart(5)} ms  ×${(r.median / base).toFixed(1)} baseline\n`,
  );
}
