// `serve --dev` without SECRETS_SYSTEM: generate one system secret once and keep it beside the embedded
// database, readable by the owner only, so restarts keep tokens and keys valid (Hydra would fail every token
// request instead; README, differences from Hydra).
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { STATE_DIR } from './storage/database.js';

export async function devSecret(
  dir = STATE_DIR,
): Promise<{ secret: string; file: string; created: boolean }> {
  const file = join(dir, 'secrets.system');
  if (existsSync(file)) return { secret: (await readFile(file, 'utf8')).trim(), file, created: false };
  await mkdir(dir, { recursive: true });
  await chmod(dir, 0o711);
  const secret = randomBytes(32).toString('base64url');
  await writeFile(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  return { secret, file, created: true };
}
