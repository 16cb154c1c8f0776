// What `tollgate terraform setup` writes: a Terraform CLI configuration that installs this package's
// provider executables without any registry, so `terraform init` works offline.
//   - mirror (default): a filesystem mirror in Terraform's unpacked layout
//     (<dir>/registry.terraform.io/tollgate/<type>/<version>/<os>_<arch>/terraform-provider-<type>_v<version>),
//     used for registry.terraform.io/tollgate/*; `terraform init` installs from it and records h1: hashes.
//   - dev-overrides: Terraform runs the executables in place and skips `init` for these providers
//     (handy while changing the provider; Terraform warns on every command).
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROVIDER_TYPES = ['tollgate', 'hydra'] as const;
export const NAMESPACE = 'registry.terraform.io/tollgate';

// Terraform always starts the compiled provider (dist/cdktf/provider), also when this module runs from the
// sources under tsx: what the tests drive is what ships.
const here = dirname(fileURLToPath(import.meta.url));
const COMPILED =
  basename(dirname(dirname(here))) === 'dist' ? here : join(here, '..', '..', 'dist', 'cdktf', 'provider');
const LAUNCHER = join(COMPILED, 'launch.js');
const BIN_DIR = join(COMPILED, 'bin');

/** Terraform's platform name, e.g. linux_amd64 or darwin_arm64. */
export function terraformPlatform(platform = process.platform, arch = process.arch): string {
  const os = platform === 'win32' ? 'windows' : platform;
  const cpu = arch === 'x64' ? 'amd64' : arch === 'ia32' ? '386' : arch;
  return `${os}_${cpu}`;
}

export interface SetupOptions {
  /** Where the mirror and the CLI configuration go. */
  dir: string;
  mode: 'mirror' | 'dev-overrides';
  version: string;
}

export interface SetupResult {
  configFile: string;
  mirrorDir?: string;
  executables: string[];
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export function writeTerraformSetup(options: SetupOptions): SetupResult {
  mkdirSync(options.dir, { recursive: true });
  const configFile = join(options.dir, 'terraform.rc');
  if (options.mode === 'dev-overrides') {
    const overrides = PROVIDER_TYPES.map((t) => `    "${NAMESPACE}/${t}" = ${JSON.stringify(BIN_DIR)}`).join(
      '\n',
    );
    writeFileSync(
      configFile,
      `provider_installation {\n  dev_overrides {\n${overrides}\n  }\n  direct {}\n}\n`,
    );
    return { configFile, executables: PROVIDER_TYPES.map((t) => join(BIN_DIR, `terraform-provider-${t}`)) };
  }
  const mirrorDir = join(options.dir, 'providers');
  const executables: string[] = [];
  for (const type of PROVIDER_TYPES) {
    const packageDir = join(mirrorDir, NAMESPACE, type, options.version, terraformPlatform());
    mkdirSync(packageDir, { recursive: true });
    const file = join(packageDir, `terraform-provider-${type}_v${options.version}`);
    // Absolute paths: Terraform runs the file from its plugin cache or a symlink to this directory.
    writeFileSync(
      file,
      `#!/bin/sh\n# Tollgate's Terraform provider (${type}), written by \`tollgate terraform setup\`.\nexec ${quote(process.execPath)} ${quote(LAUNCHER)} ${type} "$@"\n`,
    );
    chmodSync(file, 0o755);
    executables.push(file);
  }
  writeFileSync(
    configFile,
    `provider_installation {
  filesystem_mirror {
    path    = ${JSON.stringify(mirrorDir)}
    include = ["${NAMESPACE}/*"]
  }
  direct {
    exclude = ["${NAMESPACE}/*"]
  }
}
`,
  );
  return { configFile, mirrorDir, executables };
}
