/**
 * `interlock trace <id>`: what an id of any system (a Salesforce opportunity, a NetSuite sales
 * order number, a Stripe subscription or invoice, `run:<n>`, an inbox event id) caused or came
 * from — records, events, runs step by step, messages and a timeline — read straight from the
 * store (no server needed).
 */
import type { Command } from 'commander';
import { notFoundError } from '../../core/errors.ts';

interface Options {
  config?: string;
  json?: boolean;
}

/** Registers `interlock trace`. */
export function registerTrace(program: Command): void {
  program
    .command('trace <id>')
    .description('show the lineage of an id of any system: records, events, runs and steps, messages, timeline')
    .option('-c, --config <file>', 'configuration file (default: ./interlock.yaml if present)')
    .option('--json', 'print the lineage as JSON (the GET /admin/lineage/:id answer)')
    .action(async (id: string, opts: Options) => {
      const [{ loadConfig }, { openStore }, { lineageOf }, { renderLineage }] = await Promise.all([
        import('../../core/config.ts'),
        import('../../store/open-store.ts'),
        import('../../observability/lineage/lineage.ts'),
        import('../../observability/lineage/render.ts'),
      ]);
      const config = loadConfig({ file: opts.config });
      const store = await openStore(config.store);
      try {
        const lineage = await lineageOf(store, id);
        if (lineage === undefined) throw notFoundError(`nothing is known about "${id}"`);
        process.stdout.write(opts.json === true ? `${JSON.stringify(lineage, null, 2)}\n` : renderLineage(lineage));
      } finally {
        await store.close();
      }
    });
}
