// Starts the provider. Terraform starts a provider process 2–5 times per command, so start-up time is
// paid over and over: running the TypeScript through tsx costs ~1–2 s per start, a single esbuild bundle
// ~0.2 s. The bundle is built on first use into node_modules/.cache and rebuilt when any of its own source
// files (or package-lock.json) changed; when it cannot be built, tsx runs the sources directly.
import { copyFileSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const cache = join(root, 'node_modules', '.cache', 'tollgate-provider');
const bundle = join(cache, 'bundle', 'provider.mjs');
const manifest = join(cache, 'inputs.json');
const PROTOS = ['tfplugin6.proto', 'go-plugin.proto', 'health.proto'];

const mtime = (file) => {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
};

function fresh() {
  const built = mtime(bundle);
  if (built === Number.POSITIVE_INFINITY) return false;
  let inputs;
  try {
    inputs = JSON.parse(readFileSync(manifest, 'utf8'));
  } catch {
    return false;
  }
  return inputs.every((f) => mtime(join(root, f)) <= built);
}

async function build() {
  const esbuild = await import('esbuild');
  const tmp = `${bundle}.${process.pid}.tmp`;
  mkdirSync(join(cache, 'bundle'), { recursive: true });
  mkdirSync(join(cache, 'protocol'), { recursive: true });
  const result = await esbuild.build({
    entryPoints: [join(here, 'main.ts')],
    outfile: tmp,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    metafile: true,
    logLevel: 'silent',
    // Bundled CommonJS dependencies (grpc-js, protobufjs) call require().
    banner: {
      js: "import { createRequire as __tgCreateRequire } from 'node:module'; const require = __tgCreateRequire(import.meta.url);",
    },
  });
  // The bundle sits in bundle/, so the protocol files it loads from ../protocol/ go next to it.
  // Copied then renamed: a concurrently starting provider must never read a half-written file.
  for (const p of PROTOS) {
    const target = join(cache, 'protocol', p);
    copyFileSync(join(here, 'protocol', p), `${target}.${process.pid}.tmp`);
    renameSync(`${target}.${process.pid}.tmp`, target);
  }
  const inputs = Object.keys(result.metafile.inputs)
    .map((f) => relative(root, join(process.cwd(), f)))
    .filter((f) => !f.split(/[\\/]/).includes('node_modules'));
  inputs.push('package-lock.json', ...PROTOS.map((p) => relative(root, join(here, 'protocol', p))));
  writeFileSync(`${manifest}.${process.pid}.tmp`, JSON.stringify(inputs));
  renameSync(`${manifest}.${process.pid}.tmp`, manifest);
  renameSync(tmp, bundle); // atomic: concurrent provider processes see the old or the new bundle
}

const flavor = process.argv[2] ?? 'tollgate';
let entry;
try {
  // TOLLGATE_PROVIDER_FROM_SOURCES=1 skips the bundle (debugging, and the start-up benchmark's comparison).
  if (process.env.TOLLGATE_PROVIDER_FROM_SOURCES === '1') throw new Error('TOLLGATE_PROVIDER_FROM_SOURCES=1');
  if (!fresh()) await build();
  entry = await import(pathToFileURL(bundle).href);
} catch (err) {
  process.stderr.write(`terraform-provider: running from sources (bundle not used: ${err.message})\n`);
  const { register } = await import('tsx/esm/api');
  register();
  entry = await import('./main.ts');
}
await entry.main(flavor);
