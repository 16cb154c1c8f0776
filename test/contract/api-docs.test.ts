// docs/api.html, the API reference rendered from openapi.yaml by Redocly (`npm run docs`), must describe the
// contract as it is. Redoc embeds the definition it rendered as JSON (`__redoc_definition`), which is compared
// with openapi.yaml itself: no rendering, no network, and a Redocly upgrade alone does not fail the test.
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { parse } from 'yaml';

const EMBEDDED = /const __redoc_definition = (.*);\n/;
const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

describe('docs/api.html (npm run docs)', () => {
  it('embeds exactly the definition in openapi.yaml (else run `npm run docs`)', () => {
    const embedded = EMBEDDED.exec(read('docs/api.html'));
    expect(embedded, 'docs/api.html has the definition Redoc rendered').to.not.equal(null);
    const rendered = JSON.parse(embedded![1]!);
    const contract = parse(read('openapi.yaml'));
    expect(rendered, 'docs/api.html is stale: run `npm run docs`').to.deep.equal(contract);
  });
});
