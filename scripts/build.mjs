// `npm run build`: compiles the shipped code to dist/ (tsconfig.build.json), the standalone SDK package to
// sdk/dist (sdk/tsconfig.json: DOM typings only, so the SDK cannot lean on Node), and copies the files the
// compiled code reads at run time next to it: the Knex migrations and the provider's protocol definitions.
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

rmSync(join(root, 'dist'), { recursive: true, force: true });
rmSync(join(root, 'sdk', 'dist'), { recursive: true, force: true });
for (const project of ['tsconfig.build.json', 'sdk/tsconfig.json']) {
  execFileSync(process.execPath, [tsc, '-p', join(root, project)], { stdio: 'inherit', cwd: root });
}
const assets = [
  ['server/migrations', (f) => f.endsWith('.js')],
  ['cdktf/provider/protocol', (f) => f.endsWith('.proto')],
  ['cdktf/provider/bin', () => true],
];
for (const [dir, wanted] of assets) {
  for (const file of readdirSync(join(root, dir)).filter(wanted)) {
    cpSync(join(root, dir, file), join(root, 'dist', dir, file));
  }
}
for (const file of readdirSync(join(root, 'dist/cdktf/provider/bin'))) {
  chmodSync(join(root, 'dist/cdktf/provider/bin', file), 0o755);
}
