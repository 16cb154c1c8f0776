#!/usr/bin/env node
// The `tollgate` command runs the compiled CLI. `npm ci` compiles it (the `prepare` script); in a checkout
// where that has not happened, say so in one line instead of a stack trace. Node's message names the file by
// its path, not by its (percent-encoded) URL.
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/server/cli/tollgate.js', import.meta.url);
try {
  await import(entry.href);
} catch (err) {
  if (err?.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes(fileURLToPath(entry))) {
    process.stderr.write('tollgate: the compiled CLI (dist/) is missing: run `npm run build` first\n');
    process.exit(1);
  }
  throw err;
}
