// The CDK core is imported through cdktf/constructs/core.ts only, so switching to the cdktn fork is one line;
// the synth tests then pass on cdktn as well (test/helpers/cdktn.mjs applies that one-line switch).
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';

const LIBRARY = 'cdktf/constructs';
// No `g` flag: a global regex keeps `lastIndex` between `.test()` calls, so a file would be searched from where
// the previous file's match ended.
const CORE_IMPORT = /(?:from|import|require\()\s*['"](cdktf|cdktn)(?:\/[^'"]*)?['"]/;

const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );

describe('cdktf constructs: one-line switch to cdktn', () => {
  it('core.ts is the only library file importing the CDK core, on one line', () => {
    const importers = sources(LIBRARY).filter((file) => CORE_IMPORT.test(readFileSync(file, 'utf8')));
    expect(importers).to.deep.equal([join(LIBRARY, 'core.ts')]);
    const core = readFileSync(join(LIBRARY, 'core.ts'), 'utf8');
    expect(core.match(/from '[^']+'/g)).to.deep.equal(["from 'cdktf'"]);
  });

  it('the synth tests pass on cdktn', async function () {
    this.timeout(120_000);
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        'node_modules/mocha/bin/mocha.js',
        '--no-config',
        '--node-option',
        'import=tsx',
        '--node-option',
        'import=./test/helpers/cdktn.mjs',
        '--reporter',
        'json',
        'test/cdktf/synth.test.ts',
      ],
      { env: { ...process.env, TOLLGATE_CDK_CORE: 'cdktn' }, maxBuffer: 16 * 1024 * 1024 },
    );
    const report = JSON.parse(stdout);
    expect(report.failures, JSON.stringify(report.failures)).to.deep.equal([]);
    expect(report.stats.passes).to.be.greaterThan(40);
    // The stack metadata carries the core's version: proof the run used cdktn, not cdktf.
    expect(report.passes.map((t: { title: string }) => t.title)).to.include(
      'runs on cdktn (the stack metadata names its version)',
    );
  });

  it('the library, the example app and the synth tests typecheck against cdktn', async function () {
    this.timeout(120_000);
    const root = resolve('.');
    const dir = join(root, 'node_modules', '.cache', 'tollgate-cdktn');
    mkdirSync(dir, { recursive: true });
    const config = join(dir, 'tsconfig.json');
    writeFileSync(
      config,
      JSON.stringify({
        extends: join(root, 'tsconfig.json'),
        compilerOptions: {
          noEmit: true,
          rootDir: root,
          typeRoots: [join(root, 'node_modules', '@types')],
          // Every `cdktf` import, the library's core.ts included, gets cdktn's types.
          paths: { cdktf: [join(root, 'node_modules', 'cdktn', 'lib', 'index.d.ts')] },
        },
        include: [join(root, LIBRARY), join(root, 'examples'), join(root, 'test', 'cdktf', 'synth.test.ts')],
      }),
    );
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['node_modules/typescript/bin/tsc', '-p', config, '--listFiles'],
      { maxBuffer: 16 * 1024 * 1024 },
    ).catch((err: { stdout?: string }) => {
      throw new Error(`tsc found type errors on cdktn:\n${err.stdout}`);
    });
    expect(stdout).to.contain('node_modules/cdktn/lib/index.d.ts');
    expect(stdout).not.to.contain('node_modules/cdktf/');
  });
});
