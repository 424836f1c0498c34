/**
 * The list of subcommands. Adding one is a file in this folder that exports a `register`
 * function, and one line here.
 */
import type { Command } from 'commander';
import { registerContracts } from './contracts.ts';
import { registerDemo } from './demo.ts';
import { registerDlq } from './dlq.ts';
import { registerKeys } from './keys.ts';
import { registerMapping } from './mapping.ts';
import { registerMigrate } from './migrate.ts';
import { registerReconcile } from './reconcile.ts';
import { registerRuns } from './runs.ts';
import { registerSandbox } from './sandbox.ts';
import { registerSecrets } from './secrets.ts';
import { registerStart } from './start.ts';
import { registerSync } from './sync.ts';
import { registerTrace } from './trace.ts';
import { registerWorker } from './worker.ts';

/** Registers every subcommand on `program`. */
export function registerCommands(program: Command): void {
  for (const register of COMMANDS) register(program);
}

const COMMANDS: ReadonlyArray<(program: Command) => void> = [
  registerStart,
  registerDemo,
  registerWorker,
  registerDlq,
  registerRuns,
  registerMigrate,
  registerSandbox,
  registerContracts,
  registerMapping,
  registerKeys,
  registerSecrets,
  registerSync,
  registerReconcile,
  registerTrace,
];
