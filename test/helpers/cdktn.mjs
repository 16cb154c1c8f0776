// `node --import ./test/helpers/cdktn.mjs`: runs a CDKTF program as it would run with the library built on the
// cdktn fork. The library gets core.ts with its one-line switch applied (written to node_modules/.cache and
// served in place of core.ts); the program's own `cdktf` imports resolve to `cdktn`, as a user of the fork
// writes them. A library file importing the core other than through core.ts would still get cdktf and mix
// two cores, so the run fails if the one-line switch is not enough.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import Module, { register } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const libraryDir = `${root}cdktf/constructs/`;
const original = readFileSync(`${libraryDir}core.ts`, 'utf8');
const switchLine = /^} from 'cdktf';$/m;
const imports = original.match(/from '[^']+'/g) ?? [];
if (imports.length !== 1 || !switchLine.test(original)) {
  throw new Error(`core.ts must import once, on the line \`} from 'cdktf';\`; found ${imports.join(', ')}`);
}
const cacheDir = `${root}node_modules/.cache/tollgate-cdktn/`;
mkdirSync(cacheDir, { recursive: true });
writeFileSync(`${cacheDir}core.ts`, original.replace(switchLine, "} from 'cdktn';"));

// ESM imports go through module hooks; mocha loads spec files with require() (tsx compiles them to CommonJS),
// and Node 20 has no hooks for require, so CommonJS resolution is wrapped the same way.
const corePath = `${libraryDir}core.ts`;
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  const fromLibrary = parent?.filename?.startsWith(libraryDir) ?? false;
  const swapped = !fromLibrary && (request === 'cdktf' || request.startsWith('cdktf/'));
  const resolved = resolveFilename.call(
    this,
    swapped ? `cdktn${request.slice('cdktf'.length)}` : request,
    parent,
    ...rest,
  );
  return resolved === corePath ? `${cacheDir}core.ts` : resolved;
};

register('./cdktn-hooks.mjs', import.meta.url, {
  data: {
    libraryUrl: pathToFileURL(libraryDir).href,
    coreUrl: pathToFileURL(`${libraryDir}core.ts`).href,
    switchedCoreUrl: pathToFileURL(`${cacheDir}core.ts`).href,
  },
});
