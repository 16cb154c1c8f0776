// Starts the provider from the TypeScript sources through tsx (no build step).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
await main(process.argv[2] ?? 'tollgate');
