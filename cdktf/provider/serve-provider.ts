// Entry point of the provider executables: `terraform-provider-tollgate` serves the tollgate_* resources,
// `terraform-provider-hydra` the drop-in for the community Hydra provider (hydra_* names and schema).
import { createProviderHandlers } from './framework/server.js';
import { log } from './plugin/log.js';
import { servePlugin } from './plugin/serve.js';
import { tollgateProvider } from './tollgate-provider.js';

export async function serveProvider(flavor: string): Promise<void> {
  const definition =
    flavor === 'hydra' ? (await import('./hydra/provider.js')).hydraProvider : tollgateProvider;
  const stop = new AbortController();
  await servePlugin({
    provider: createProviderHandlers<unknown>(definition as never, stop),
    onStop: () => stop.abort(new Error('Terraform asked the provider to stop')),
  });
}

process.on('uncaughtException', (err) => {
  log('error', `uncaught: ${err.stack ?? err.message}`);
  process.exit(1);
});
