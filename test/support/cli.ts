/**
 * Runs the `interlock` command as a user would, as a child process on the project's Node, with
 * its store an SQLite file in `dir`. For CLI tests.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** What a CLI run printed and how it exited. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `interlock <args>` with the store at `<dir>/interlock.db`, extra `env`, and `stdin`. */
export function runCli(args: readonly string[], options: { dir: string; env?: Record<string, string>; stdin?: string }): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ['bin/interlock.js', ...args],
      { cwd: ROOT, env: { ...process.env, INTERLOCK_STORE: 'sqlite', INTERLOCK_SQLITE_PATH: path.join(options.dir, 'interlock.db'), ...options.env } },
      (err, stdout, stderr) => resolve({ code: err === null ? 0 : Number((err as { code?: number }).code ?? 1), stdout, stderr }),
    );
    child.stdin?.end(options.stdin ?? '');
  });
}
