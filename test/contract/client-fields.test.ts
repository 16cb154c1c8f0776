// One definition of a client: a field added to a copy of the contract, then `npm run generate` in that copy, is
// enough for the field to be taken and returned by the admin API, to be an attribute of both Terraform
// resources and the data source, and to be a config key of the L1 binding. The hand-written L2 props are the
// one place left to edit, and the type check says so.
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { expect } from 'chai';
import ts from 'typescript';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

/** New fields of four kinds (string, list, JSON object, integer), placed before `skip_consent` in the client schema. */
const NEW_FIELDS = `        example_note:
          description: A note added by the client-field test.
          type: string
        example_settings:
          description: Settings added by the client-field test.
          type: object
          additionalProperties: true
        example_count:
          description: A count added by the client-field test.
          type: integer
        example_tags:
          $ref: '#/components/schemas/StringSliceJSONFormat'
          description: Tags added by the client-field test.
`;

/** Semantic errors of `files` (compiled with the copy's tsconfig), as text. */
function typeErrors(copy: string, files: string[]): string[] {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    join(copy, 'tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  )!;
  const program = ts.createProgram(files, { ...parsed.options, noEmit: true });
  return files.flatMap((file) =>
    program
      .getSemanticDiagnostics(program.getSourceFile(file))
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')),
  );
}

describe('client fields come from the contract (a field added to a copy of openapi.yaml)', function () {
  this.timeout(180_000);
  let copy: string;
  const load = (path: string) => import(pathToFileURL(join(copy, path)).href);

  before(async () => {
    copy = mkdtempSync(join(tmpdir(), 'tollgate-fields-'));
    const { stdout } = await run('git', ['ls-files', '-z'], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
    for (const file of stdout.split('\0').filter(Boolean)) {
      if (/^(docs|bench|examples)\//.test(file)) continue;
      cpSync(join(ROOT, file), join(copy, file), { recursive: true });
    }
    symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'), 'dir');
    const contract = readFileSync(join(copy, 'openapi.yaml'), 'utf8');
    const at = contract.indexOf('        skip_consent:\n');
    expect(at).to.be.greaterThan(0);
    writeFileSync(join(copy, 'openapi.yaml'), contract.slice(0, at) + NEW_FIELDS + contract.slice(at));
    await run('npm', ['run', 'generate'], { cwd: copy });
  });

  after(() => {
    if (copy) rmSync(copy, { recursive: true, force: true });
  });

  it('the admin API takes, stores and returns the new fields, and refuses a wrong type as Go would', async () => {
    const { startTestServer } = await load('test/helpers/server.ts');
    const server = await startTestServer();
    try {
      const post = (body: unknown) =>
        fetch(`${server.adminUrl}/admin/clients`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      const created = await post({ client_id: 'probe', example_note: 'hello', example_tags: ['a', 'b'] });
      expect(created.status).to.equal(201);
      const body = (await created.json()) as Record<string, unknown>;
      expect(body).to.include({ example_note: 'hello' });
      expect(body.example_tags).to.deep.equal(['a', 'b']);
      // In the contract's place: after access_token_strategy, before skip_consent.
      const keys = Object.keys(body);
      expect(keys.indexOf('example_tags')).to.equal(keys.indexOf('skip_consent') - 1);

      const read = (await (await fetch(`${server.adminUrl}/admin/clients/probe`)).json()) as Record<
        string,
        unknown
      >;
      expect(read).to.include({ example_note: 'hello' });
      expect(read.example_tags).to.deep.equal(['a', 'b']);

      // A wrong type is refused exactly as for a string field the contract always had.
      const refusal = async (field: string) => {
        const res = await post({ [field]: 5 });
        return { status: res.status, body: JSON.stringify(await res.json()).replaceAll(field, 'FIELD') };
      };
      const wrong = await refusal('example_note');
      expect(wrong.status).to.equal(400);
      expect(wrong).to.deep.equal(await refusal('client_name'));
    } finally {
      await server.close();
    }
  });

  it('both Terraform client resources and the data source have the new attributes', async () => {
    const { oauth2ClientSchema } = await load('cdktf/provider/resources/oauth2-client.ts');
    const { oauth2ClientDataSchema } = await load('cdktf/provider/resources/oauth2-client-data.ts');
    const { hydraClientSchema } = await load('cdktf/provider/hydra/oauth2-client.ts');
    expect(oauth2ClientSchema.block.attributes.example_note).to.include({ type: 'string', optional: true });
    expect(oauth2ClientSchema.block.attributes.example_tags).to.deep.include({
      type: ['set', 'string'],
      optional: true,
    });
    expect(oauth2ClientDataSchema.block.attributes.example_note).to.include({ computed: true });
    expect(hydraClientSchema.block.attributes.example_note).to.include({ type: 'string', optional: true });
    expect(hydraClientSchema.block.attributes.example_tags).to.deep.include({ type: ['list', 'string'] });
    // A JSON object is a JSON string in Terraform (`jsonencode`), an integer a number; in both resources.
    for (const schema of [oauth2ClientSchema, hydraClientSchema]) {
      expect(schema.block.attributes.example_settings).to.include({ type: 'string', optional: true });
      expect(schema.block.attributes.example_count).to.include({ type: 'number', optional: true });
    }
    expect(oauth2ClientDataSchema.block.attributes.example_settings).to.include({
      type: 'string',
      computed: true,
    });
    expect(oauth2ClientDataSchema.block.attributes.example_count).to.include({
      type: 'number',
      computed: true,
    });
  });

  it('the Hydra drop-in sends and reads the JSON object and the integer', async () => {
    const { hydraClientResource } = await load('cdktf/provider/hydra/oauth2-client.ts');
    let sent: Record<string, unknown> | undefined;
    const client = {
      createClient: async (body: Record<string, unknown>) => {
        sent = body;
        return { ...body, client_id: 'probe' };
      },
    };
    const planned: Record<string, unknown> = Object.fromEntries(
      Object.keys(hydraClientResource.schema.block.attributes).map((n) => [n, null]),
    );
    Object.assign(planned, { jwk: [], example_settings: '{"a":[1]}', example_count: 7 });
    const state = await hydraClientResource.create({ client }, planned);
    expect(sent).to.deep.include({ example_settings: { a: [1] }, example_count: 7 });
    expect(state).to.include({ example_settings: '{"a":[1]}', example_count: 7 });
  });

  it('the L1 binding takes the new fields as config and synthesizes them', async () => {
    const { OAUTH2_CLIENT_RESOURCE, toTerraformAttributes } = await load('cdktf/constructs/l1/schema.ts');
    const config = { exampleNote: 'hi', exampleTags: ['x'], exampleSettings: '{"a":1}', exampleCount: 3 };
    expect(toTerraformAttributes(OAUTH2_CLIENT_RESOURCE, config)).to.deep.equal({
      example_note: 'hi',
      example_tags: ['x'],
      example_settings: '{"a":1}',
      example_count: 3,
    });

    const snippet = join(copy, 'cdktf', 'probe.ts');
    writeFileSync(
      snippet,
      `import type { Oauth2ClientConfig } from './constructs/l1/oauth2-client.js';
export const config: Oauth2ClientConfig = { exampleNote: 'hi', exampleTags: ['x'], exampleSettings: '{}', exampleCount: 3 };
export const wrong: Oauth2ClientConfig = { exampleCount: '3' };
`,
    );
    // The integer is a number in L1: a string there is the one type error.
    const errors = typeErrors(copy, [snippet]);
    expect(errors).to.have.length(1);
    expect(errors[0]).to.contain("'string' is not assignable to type 'number'");
  });

  it('the L2 props fail the type check until they have the new fields, and pass with them', () => {
    const l2 = join(copy, 'cdktf', 'constructs', 'oauth2-client.ts');
    const before = typeErrors(copy, [l2]);
    expect(before).to.have.length(1);
    expect(before[0]).to.contain('"exampleNote" | "exampleSettings" | "exampleCount" | "exampleTags"');

    const source = readFileSync(l2, 'utf8');
    const anchor = '  /** @default false */\n  readonly skipConsent?: boolean;\n';
    expect(source).to.contain(anchor);
    writeFileSync(
      l2,
      source.replace(
        anchor,
        `${anchor}${[
          'exampleNote?: string',
          'exampleSettings?: string',
          'exampleCount?: number',
          'exampleTags?: string[]',
        ]
          .map((prop) => `  /** @default none */\n  readonly ${prop};\n`)
          .join('')}`,
      ),
    );
    expect(typeErrors(copy, [l2])).to.deep.equal([]);
  });
});
