/**
 * The `interlock` command line: one subcommand per file in `./commands/`, registered here.
 * Errors reach the user as one readable line (never a stack trace) and a non-zero exit code.
 */
import { Command, CommanderError } from 'commander';
import { InterlockError } from '../core/errors.ts';
import { registerCommands } from './commands/index.ts';

/** Runs the CLI with `argv` (as `process.argv`) and resolves to the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command('interlock')
    .description('Interlock: keeps CRM, ERP and revenue systems in step.')
    .exitOverride()
    .showHelpAfterError('(add --help for usage)')
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  registerCommands(program);
  try {
    await program.parseAsync([...argv]);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    return reportCliError(err);
  }
}

/** Prints a thrown error as one line for a person and returns the exit code to use. */
export function reportCliError(err: unknown): number {
  if (err instanceof CommanderError) {
    // Commander has already printed its message (or the help text).
    return err.exitCode;
  }
  if (err instanceof InterlockError) {
    process.stderr.write(`interlock: ${err.message}\n`);
    return err.code === 'validation' ? 2 : 1;
  }
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`interlock: unexpected error: ${message}\n`);
  return 1;
}
