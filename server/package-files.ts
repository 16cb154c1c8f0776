// Files of the package itself (package.json, openapi.yaml), found from this module whether it runs from the
// sources (<root>/server) or compiled (<root>/dist/server).
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

export const PACKAGE_ROOT = basename(dirname(here)) === 'dist' ? join(here, '..', '..') : join(here, '..');

export const packageFile = (name: string) => join(PACKAGE_ROOT, name);
