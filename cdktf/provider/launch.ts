// Process entry of the provider executables (bin/terraform-provider-<type> runs the compiled form of this file):
// `tollgate` serves the tollgate_* resources, `hydra` the drop-in for the community Hydra provider (hydra_* names
// and schema).
import { createProviderHandlers } from './framework/server.js';
import { log } from './plugin/log.js';
import { servePlugin } from './plugin/serve.js';
import { tollgateProvider } from './tollgate-provider.js';

// Terraform reads the provider's stderr as its log: say what went wrong there and exit, since a provider left
// running after an unexpected error would answer later calls from a broken state.
process.on('uncaughtException', (err) => {
  log('error', `uncaught: ${err.stack ?? err.message}`);
  process.exit(1);
});

const definition =
  process.argv[2] === 'hydra' ? (await import('./hydra/provider.js')).hydraProvider : tollgateProvider;
const stop = new AbortController();
await servePlugin({
  provider: createProviderHandlers<unknown>(definition as never, stop),
  onStop: () => stop.abort(new Error('Terraform asked the provider to stop')),
});
