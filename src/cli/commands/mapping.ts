/**
 * `interlock mapping test <folder>`: runs the golden fixtures of a mapping folder and prints a
 * field-level diff for each failing case; exits 1 when any case fails.
 * `interlock mapping check <file...>`: compiles mapping files and reports the first problem of
 * each with its file, line and key.
 */
import type { Command } from 'commander';
import { formatCaseResult, runFixtureFolder } from '../../mapping/fixtures.ts';
import { loadMappingFile } from '../../mapping/load.ts';
import { toInterlockError } from '../../core/errors.ts';

/** Registers `interlock mapping` and its subcommands. */
export function registerMapping(program: Command): void {
  const mapping = program.command('mapping').description('test and check declarative mappings');

  mapping
    .command('test <folder>')
    .description('run the golden fixtures (*.fixtures.yaml) of a mapping folder')
    .action(async (folder: string) => {
      const results = await runFixtureFolder(folder);
      for (const r of results) process.stdout.write(formatCaseResult(r));
      const failed = results.filter((r) => !r.passed).length;
      process.stdout.write(`${results.length - failed} passed, ${failed} failed\n`);
      if (failed > 0 || results.length === 0) process.exitCode = 1;
    });

  mapping
    .command('check <files...>')
    .description('compile mapping files and report problems with file, line and key')
    .action(async (files: string[]) => {
      let bad = 0;
      for (const file of files) {
        try {
          const m = await loadMappingFile(file);
          process.stdout.write(`ok    ${file} (${m.name})\n`);
        } catch (err) {
          bad++;
          process.stdout.write(`FAIL  ${toInterlockError(err).message}\n`);
        }
      }
      if (bad > 0) process.exitCode = 1;
    });
}
