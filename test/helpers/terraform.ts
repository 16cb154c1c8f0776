// Runs the real `terraform` binary against the provider in this repository, offline: each workspace gets
// its own CLI configuration with dev_overrides for both provider addresses (so there is no `terraform init`
// and no registry), and checkpoint calls are switched off.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The compiled provider executables (npm run build): the tests drive what ships. */
export const PROVIDER_BIN_DIR = fileURLToPath(new URL('../../dist/cdktf/provider/bin', import.meta.url));

export interface TerraformResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface TerraformWorkspace {
  dir: string;
  env: NodeJS.ProcessEnv;
  write(file: string, content: string): void;
  /** terraform with -no-color (and -input=false for commands that take it); never throws on a non-zero exit. */
  run(...args: string[]): Promise<TerraformResult>;
  /** Like run, but fails with terraform's output unless the exit code is 0. */
  ok(...args: string[]): Promise<TerraformResult>;
  state(): string;
  remove(): void;
}

/** dev_overrides for the two addresses the provider executables serve. */
export function cliConfig(binDir = PROVIDER_BIN_DIR): string {
  return `provider_installation {
  dev_overrides {
    "registry.terraform.io/tollgate/tollgate" = ${JSON.stringify(binDir)}
    "registry.terraform.io/tollgate/hydra" = ${JSON.stringify(binDir)}
  }
  direct {}
}
`;
}

const WITH_INPUT = new Set(['apply', 'destroy', 'plan', 'import', 'refresh']);

export function terraformWorkspace(extraEnv: Record<string, string> = {}): TerraformWorkspace {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-tf-'));
  writeFileSync(join(dir, 'cli.tfrc'), cliConfig());
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TF_CLI_CONFIG_FILE: join(dir, 'cli.tfrc'),
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
    CHECKPOINT_DISABLE: '1',
    TF_LOG: '',
    // The provider's own log lines, shown when a command fails.
    TOLLGATE_PROVIDER_LOG: join(dir, 'provider.log'),
    ...extraEnv,
  };
  const run = (...args: string[]): Promise<TerraformResult> => {
    const [command, ...rest] = args;
    const flags = ['-no-color', ...(command && WITH_INPUT.has(command) ? ['-input=false'] : [])];
    const argv = command === undefined ? [] : command === 'state' ? args : [command, ...flags, ...rest];
    return new Promise((resolve, reject) => {
      const child = spawn('terraform', argv, { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => {
        stdout += d;
      });
      child.stderr.on('data', (d) => {
        stderr += d;
      });
      child.on('error', reject);
      child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    });
  };
  return {
    dir,
    env,
    write: (file, content) => writeFileSync(join(dir, file), content),
    run,
    async ok(...args) {
      const res = await run(...args);
      if (res.code !== 0) {
        const log = join(dir, 'provider.log');
        const tail = existsSync(log)
          ? `\n--- provider log (end) ---\n${readFileSync(log, 'utf8').slice(-4000)}`
          : '';
        throw new Error(
          `terraform ${args.join(' ')} exited ${res.code}\n${res.stdout}\n${res.stderr}${tail}`,
        );
      }
      return res;
    },
    state: () => readFileSync(join(dir, 'terraform.tfstate'), 'utf8'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
