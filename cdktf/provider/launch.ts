// Process entry of the provider executables (bin/terraform-provider-<type> runs the compiled form of this file):
// `tollgate` serves the tollgate_* resources, `hydra` the drop-in for the community Hydra provider.
import { serveProvider } from './serve-provider.js';

await serveProvider(process.argv[2] ?? 'tollgate');
