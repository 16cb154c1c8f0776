// What `tollgate terraform setup` does (see cdktf/provider/setup.ts for what is written). Loaded only when it runs.
import { resolve } from 'node:path';
import { writeTerraformSetup } from '../../cdktf/provider/setup.js';
import { VERSION } from '../version.js';
import type { TerraformSetupOptions } from './terraform.js';

export function terraformSetup(options: TerraformSetupOptions) {
  const result = writeTerraformSetup({ dir: resolve(options.dir), mode: options.mode, version: VERSION });
  const lines = [
    `Wrote ${result.configFile}`,
    ...(result.mirrorDir ? [`Provider mirror: ${result.mirrorDir}`] : []),
    '',
    'Use it with:',
    `  export TF_CLI_CONFIG_FILE=${result.configFile}`,
    options.mode === 'mirror'
      ? '  terraform init   # installs registry.terraform.io/tollgate/{tollgate,hydra} from the mirror'
      : '  terraform plan   # no terraform init for these providers under dev_overrides',
    '',
  ];
  process.stdout.write(lines.join('\n'));
}
