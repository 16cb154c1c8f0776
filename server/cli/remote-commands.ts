// The client-side commands (they call a running server through the SDK, never server code).
import type { Command } from 'commander';
import { registerClientCommands } from './client-commands.js';
import { registerTokenCommands } from './token-commands.js';

export function registerRemoteCommands(program: Command) {
  registerClientCommands(program);
  registerTokenCommands(program);
}
