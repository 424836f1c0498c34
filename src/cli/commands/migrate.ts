/**
 * `interlock migrate`: brings the store's schema up to date and exits (start-up does this too;
 * deployments that migrate as a separate step use this).
 */
import type { Command } from 'commander';

/** Registers `interlock migrate`. */
export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('apply pending store migrations and exit')
    .option('-c, --config <file>', 'configuration file (default: ./interlock.yaml if present)')
    .action(async (opts: { config?: string }) => {
      const [{ loadConfig }, { openStore }] = await Promise.all([import('../../core/config.ts'), import('../../store/open-store.ts')]);
      const config = loadConfig({ file: opts.config });
      const store = await openStore(config.store);
      await store.close();
      process.stdout.write(`store (${config.store.kind}) is up to date\n`);
    });
}
