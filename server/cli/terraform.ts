// `tollgate terraform setup`: makes this package's Terraform providers installable offline
// (terraform-action.ts runs it).
import { type Command, Option } from 'commander';
import { examples } from './examples.js';

export interface TerraformSetupOptions {
  dir: string;
  mode: 'mirror' | 'dev-overrides';
}

export function registerTerraform(program: Command) {
  examples(
    program
      .command('terraform')
      .description('Terraform provider tools')
      .command('setup')
      .description(
        'write a Terraform CLI configuration that installs the tollgate and hydra providers offline',
      )
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
      .action(async (options: TerraformSetupOptions) =>
        (await import('./terraform-action.js')).terraformSetup(options),
      ),
    'tollgate terraform setup && export TF_CLI_CONFIG_FILE=$PWD/.tollgate/terraform/terraform.rc',
    'tollgate terraform setup --dir /opt/terraform --mode dev-overrides',
  );
}
