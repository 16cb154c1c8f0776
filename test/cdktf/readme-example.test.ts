// The README's CDKTF example is examples/cdktf/main.ts, which test/cdktf/app-e2e.test.ts runs end to end.
import { readFileSync } from 'node:fs';
import { expect } from 'chai';

describe('README: Provision clients as code (CDKTF)', () => {
  it('shows examples/cdktf/main.ts unchanged', () => {
    const readme = readFileSync('README.md', 'utf8');
    const marker = '<!-- examples/cdktf/main.ts:';
    const at = readme.indexOf(marker);
    expect(at, 'the example marker in README.md').to.be.greaterThan(-1);
    const block = /```ts\n([\s\S]*?)```/.exec(readme.slice(at));
    expect(block?.[1]).to.equal(readFileSync('examples/cdktf/main.ts', 'utf8'));
  });
});
