// Type-checks TypeScript snippets with the repository's compiler settings, each as an ES module in a temporary
// directory, with \`tollgate/sdk\` resolving to the SDK's source (package.json \`exports\` maps it to its build).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Type-checks each snippet as its own ES module that imports `tollgate/sdk`; returns each one's errors. */
export async function typecheck(snippets: Record<string, string>): Promise<Record<string, ts.Diagnostic[]>> {
  const dir = await mkdtemp(join(tmpdir(), 'tollgate-types-'));
  try {
    await writeFile(join(dir, 'package.json'), '{"type":"module"}');
    const files: Record<string, string> = {};
    for (const [name, source] of Object.entries(snippets)) {
      files[name] = join(dir, `${name}.ts`);
      await writeFile(files[name], source);
    }
    const config = ts.getParsedCommandLineOfConfigFile(
      join(ROOT, 'tsconfig.json'),
      {},
      {
        ...ts.sys,
        onUnRecoverableConfigFileDiagnostic: (d) => {
          throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
        },
      },
    )!;
    const program = ts.createProgram(Object.values(files), {
      ...config.options,
      noEmit: true,
      paths: { 'tollgate/sdk': [join(ROOT, 'sdk/index.ts')] },
    });
    const result: Record<string, ts.Diagnostic[]> = {};
    for (const [name, file] of Object.entries(files)) {
      const source = program.getSourceFile(file)!;
      result[name] = [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)];
    }
    return result;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function describeDiagnostics(diagnostics: ts.Diagnostic[]): string {
  return diagnostics
    .map((d) => {
      const pos = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
      return `${pos ? `${pos.line + 1}:${pos.character + 1} ` : ''}TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
    })
    .join('\n');
}
