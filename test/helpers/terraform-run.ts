// Runs the real `terraform` binary against the provider in cdktf/provider/. The provider is installed the way
// users install it offline: an unpacked filesystem mirror (so `terraform init` works without a registry),
// through a CLI configuration the test writes (TF_CLI_CONFIG_FILE points nowhere on these machines).
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PROVIDER_BIN = fileURLToPath(
  new URL('../../cdktf/provider/bin/terraform-provider-tollgate', import.meta.url),
);
export const PROVIDER_ADDRESS = 'registry.terraform.io/tollgate/tollgate';
const PROVIDER_VERSION = '0.1.0';

/** Where the provider processes of a mirror written by `writeProviderMirror` log. */
export const providerLog = (root: string): string => join(root, 'provider.log');

/** Writes a filesystem mirror holding the provider and a CLI config using it; returns the config's path. */
export function writeProviderMirror(root: string): string {
  const platform = `${process.platform}_${process.arch === 'x64' ? 'amd64' : process.arch}`;
  const dir = join(root, 'mirror', PROVIDER_ADDRESS, PROVIDER_VERSION, platform);
  mkdirSync(dir, { recursive: true });
  const wrapper = join(dir, `terraform-provider-tollgate_v${PROVIDER_VERSION}`);
  // The provider's stderr goes to a file too, so a failing test can show why a provider process died.
  writeFileSync(wrapper, `#!/bin/sh\nexec '${PROVIDER_BIN}' "$@" 2>>'${providerLog(root)}'\n`);
  chmodSync(wrapper, 0o755);
  const config = join(root, 'terraform.rc');
  writeFileSync(
    config,
    `provider_installation {
  filesystem_mirror {
    path    = "${join(root, 'mirror')}"
    include = ["${PROVIDER_ADDRESS}"]
  }
  direct {
    exclude = ["${PROVIDER_ADDRESS}"]
  }
}
`,
  );
  return config;
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
 * `terraform -chdir=<dir> <args>` without prompts or colours. When it fails, the end of the provider log
 * (next to the CLI config `writeProviderMirror` wrote) is added to stderr.
 */
export async function terraform(dir: string, args: string[], env: NodeJS.ProcessEnv): Promise<RunResult> {
  const result = await run('terraform', [`-chdir=${dir}`, ...args, '-no-color'], {
    cwd: dir,
    env: { ...env, TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1', TF_INPUT: '0' },
  });
  const log = env.TF_CLI_CONFIG_FILE && providerLog(dirname(env.TF_CLI_CONFIG_FILE));
  if (result.code !== 0 && log && existsSync(log)) {
    result.stderr += `\n--- provider log (end) ---\n${readFileSync(log, 'utf8').slice(-4000)}`;
  }
  return result;
}
