// Output of the client-side commands in Hydra's formats: `table` (aligned columns; one item is printed as
// name/value rows), `json`, `json-pretty` and `yaml`; `-q` prints only ids.
import { stringify } from 'yaml';
import type { Format } from './remote.js';

export interface Printable {
  /** What the machine-readable formats print. */
  data: unknown;
  table: {
    header: string[];
    rows: string[][];
    /** One item: print each column as a `NAME  value` line. */
    single?: boolean;
    /** Extra `NAME  value` lines after the rows (pagination). */
    footer?: [string, string][];
  };
  /** What `--quiet` prints, one per line. */
  ids: string[];
}

export function print(value: Printable, format: Format, quiet: boolean): string {
  if (quiet) return value.ids.map((id) => `${id}\n`).join('');
  switch (format) {
    case 'json':
      return `${JSON.stringify(value.data)}\n`;
    case 'json-pretty':
      return `${JSON.stringify(value.data, null, 2)}\n`;
    case 'yaml':
      return stringify(value.data);
    case 'table':
      return table(value.table);
  }
}

function table({ header, rows, single, footer = [] }: Printable['table']): string {
  const lines = single
    ? columns(header.map((name, i) => [name, rows[0]?.[i] ?? '']))
    : columns([header, ...rows]);
  if (footer.length) lines.push('', ...columns(footer));
  return lines.map((line) => `${line}\n`).join('');
}

/** Left-aligned columns separated by three spaces, like Go's tabwriter in Hydra's output. */
function columns(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join('   ')
      .trimEnd(),
  );
}
