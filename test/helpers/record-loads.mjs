// `node --import ./test/helpers/record-loads.mjs …` writes the URL of every module the process loaded, one per
// line, to the file named by $RECORD_LOADS_FILE when it exits: ES modules as the loader resolved them (a hook on
// Node's loader thread posts each URL back here), CommonJS modules from require's cache.
import { writeFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { pathToFileURL } from 'node:url';
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';

const { port1, port2 } = new MessageChannel();
register('./record-loads-hooks.mjs', import.meta.url, { data: { port: port2 }, transferList: [port2] });
port1.unref();

process.on('exit', () => {
  const urls = [];
  // A hook posts before it returns, so every URL of a module that ran is already queued.
  for (let m = receiveMessageOnPort(port1); m; m = receiveMessageOnPort(port1)) urls.push(m.message);
  for (const path of Object.keys(createRequire(import.meta.url).cache)) urls.push(pathToFileURL(path).href);
  writeFileSync(process.env.RECORD_LOADS_FILE, `${urls.join('\n')}\n`);
});
