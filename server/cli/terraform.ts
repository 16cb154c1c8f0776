// `tollgate terraform setup`: makes this package's Terraform providers installable offline (see
// cdktf/provider/setup.ts for what is written).
import { resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { writeTerraformSetup } from '../../cdktf/provider/setup.js';
import { VERSION } from '../version.js';

export function registerTerraform(program: Command) {
  program
    .command('terraform')
    .description('Terraform provider tools')
    .command('setup')
    .description('write a Terraform CLI configuration that installs the tollgate and hydra providers offline')
    .option(
      '--dir <dir>',
      'where to write the configuration (and the provider mirror)',
      '.tollgate/terraform',
    )
    .addOption(
      new Option(
        '--mode <mode>',
        'filesystem mirror (terraform init works offline) or dev overrides (no init)',
      )
        .choices(['mirror', 'dev-overrides'])
        .default('mirror'),
    )
    .action((options: { dir: string; mode: 'mirror' | 'dev-overrides' }) => {
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
    });
}
