/**
 * The list of subcommands. Adding one is a file in this folder that exports a `register`
 * function, and one line here.
 */
import type { Command } from 'commander';

/** Registers every subcommand on `program`. */
export function registerCommands(program: Command): void {
  for (const register of COMMANDS) register(program);
}

const COMMANDS: ReadonlyArray<(program: Command) => void> = [];
