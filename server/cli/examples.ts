// Every command's help ends with an "Examples:" section, as Hydra's do (cobra's Example field).
import type { Command } from 'commander';

const EXAMPLES = new WeakMap<Command, string[]>();

/** Sets the example lines of a command (whole command lines; a line starting with `#` explains the next). */
export function examples(cmd: Command, ...lines: string[]): Command {
  EXAMPLES.set(cmd, lines);
  return cmd;
}

/**
 * Adds the Examples section to `root` and every command under it. A command without its own examples (a group
 * such as `create`) shows the first example of each of its subcommands.
 */
export function addExamples(root: Command): string[] {
  const children = root.commands.map(addExamples);
  const lines =
    EXAMPLES.get(root) ?? children.flatMap((own) => own.find((line) => !line.startsWith('#')) ?? []);
  root.addHelpText('after', `\nExamples:${lines.map((line) => `\n  ${line}`).join('')}`);
  return lines;
}
