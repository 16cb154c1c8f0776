#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx's ESM loader, so `npm ci` needs no build step.
import { register } from 'tsx/esm/api';

register();
await import('../server/cli/main.ts');
