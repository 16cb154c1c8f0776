// Dependencies npm audit cannot judge (issue 15): cdktf bundles packages with known advisories, which neither
// `npm audit` nor `overrides` reach. SECURITY.md must name each one at the version installed, and the CI's
// audit step (scripts/audit-warning.sh) warns but never fails the build, not even without a registry.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bundledVersion = (name: string) =>
  JSON.parse(readFileSync(`${root}node_modules/cdktf/node_modules/${name}/package.json`, 'utf8'))
    .version as string;

describe('dependencies npm audit cannot see', () => {
  it('SECURITY.md names the advisories of packages bundled in cdktf, at the versions installed', () => {
    const security = readFileSync(`${root}SECURITY.md`, 'utf8');
    for (const [name, advisory] of [
      ['lodash', 'CVE-2025-13465'],
      ['brace-expansion', 'CVE-2025-5889'],
    ] as const) {
      expect(security).to.include(`${name} ${bundledVersion(name)}`);
      expect(security).to.include(advisory);
    }
  });

  it('scripts/audit-warning.sh warns and exits 0 when the registry cannot be asked', function () {
    this.timeout(60_000);
    const run = spawnSync('bash', [`${root}scripts/audit-warning.sh`], {
      env: { ...process.env, npm_config_registry: 'http://127.0.0.1:9/', AUDIT_TIMEOUT_SECONDS: '20' },
      encoding: 'utf8',
    });
    expect(run.status, run.stderr).to.equal(0);
    expect(run.stdout).to.match(
      /^warning: npm audit --omit=dev: the registry could not be asked .*ECONNREFUSED/,
    );
  });
});
