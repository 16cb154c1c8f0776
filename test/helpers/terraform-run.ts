// Runs the real `terraform` binary in a CDKTF stack directory. The provider is installed the way users
// install it offline, from the filesystem mirror `tollgate terraform setup` writes (so `terraform init` works
// without a registry), through a CLI configuration of the test's own (TF_CLI_CONFIG_FILE points nowhere on
// these machines).
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeTerraformSetup } from '../../cdktf/provider/setup.js';
import { VERSION } from '../../server/version.js';

export const PROVIDER_ADDRESS = 'registry.terraform.io/tollgate/tollgate';

/** Writes the provider mirror and its CLI configuration under `root`; returns the configuration's path. */
export function writeProviderMirror(root: string): string {
  return writeTerraformSetup({ dir: join(root, 'terraform'), mode: 'mirror', version: VERSION }).configFile;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end (a non-zero exit is a result, not an error). */
export function run(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      {
        cwd: options.cwd,
        env: options.env,
        timeout: options.timeoutMs ?? 120_000,
        maxBuffer: 32 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') return reject(error);
        resolve({ code: typeof error?.code === 'number' ? error.code : 0, stdout, stderr });
      },
    );
  });
}

/**
 * `terraform -chdir=<dir> <args>` without prompts or colours. Terraform's provider log (which carries the
 * provider processes' stderr) goes to a file; when the command fails, its end is added to `stderr`.
 */
export async function terraform(dir: string, args: string[], env: NodeJS.ProcessEnv): Promise<RunResult> {
  const log = join(dir, 'terraform-provider.log');
  rmSync(log, { force: true });
  const result = await run('terraform', [`-chdir=${dir}`, ...args, '-no-color'], {
    cwd: dir,
    env: {
      ...env,
      TF_IN_AUTOMATION: '1',
      CHECKPOINT_DISABLE: '1',
      TF_INPUT: '0',
      TF_LOG: '',
      TF_LOG_PROVIDER: 'DEBUG',
      TF_LOG_PATH: log,
    },
  });
  if (result.code !== 0 && existsSync(log)) {
    const lines = readFileSync(log, 'utf8').split('\n');
    result.stderr += `\n--- terraform provider log (end) ---\n${lines.slice(-80).join('\n')}`;
  }
  return result;
}
