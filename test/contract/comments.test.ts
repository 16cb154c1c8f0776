// Comments in the shipped sources stand alone: they cite RFC sections, Hydra's or fosite's behaviour, or files in
// this repository (docs/hydra-compatibility.md, docs/performance.md), never documents that are not here.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';

const ROOTS = ['server', 'cdktf', 'sdk'];
const EXTENSIONS = ['.ts', '.js', '.mjs', '.proto'];
const OUTSIDE_REFERENCES =
  /contract §|user research|research §|shared\/reference|HF §|hydra-flows|plan §|decision R\d/i;

const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sources(path);
    return EXTENSIONS.some((ext) => entry.name.endsWith(ext)) ? [path] : [];
  });

describe('source comments cite nothing outside the repository', () => {
  it('no file under server/, cdktf/ or sdk/ cites the Hydra contract, the user research or ../shared', () => {
    const files = ROOTS.flatMap(sources);
    expect(files.length).to.be.greaterThan(100);
    const found = files.flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .flatMap((line, i) => (OUTSIDE_REFERENCES.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(found, found.join('\n')).to.deep.equal([]);
  });
});
