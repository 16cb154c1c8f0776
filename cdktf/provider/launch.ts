// Process entry of the provider executables (bin/terraform-provider-<type> runs the compiled form of this file):
// `tollgate` serves the tollgate_* resources, `hydra` the drop-in for the community Hydra provider.
import { main } from './main.js';

await main(process.argv[2] ?? 'tollgate');
