import { readFileSync } from 'node:fs';
import { packageFile } from './package-files.js';

/** The package version, also served at GET /admin/version. */
export const VERSION: string = (
  JSON.parse(readFileSync(packageFile('package.json'), 'utf8')) as { version: string }
).version;
