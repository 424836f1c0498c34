/**
 * `interlock demo`: the scenario `npm start` plays, headless — on a fresh SQLite store in a
 * temporary folder and fresh in-memory sandboxes — ending with a summary table. Exits 0 only when
 * every system holds what it should, so it doubles as a smoke test of a deployment's build.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';

interface DemoOptions {
  keep?: boolean;
  quiet?: boolean;
  story: string;
}

/** Registers `interlock demo`. */
export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('play a story on fresh sandboxes and check every system (exit 0 when all is right): the first (lead-to-order, billing, renewals) or, with --story manufacturer, Dynamics 365 → SAP S/4HANA')
    .option('--keep', 'keep the temporary data folder and print where it is')
    .option('-q, --quiet', 'print only the summary table and the check')
    .option('--story <story>', 'first (Salesforce, NetSuite, Stripe) or manufacturer (Dynamics 365, SAP S/4HANA)', 'first')
    .action(async (opts: DemoOptions) => {
      if (opts.story === 'manufacturer') return manufacturerDemo(opts);
      if (opts.story !== 'first') throw new Error(`--story must be first or manufacturer, got "${opts.story}"`);
      const [{ startDemoHost }, { playScenario }, { summaryTable }] = await Promise.all([
        import('../../demo/demo-host.ts'),
        import('../../demo/scenario.ts'),
        import('../../demo/verify.ts'),
      ]);
      const dir = mkdtempSync(path.join(tmpdir(), 'interlock-demo-'));
      const print = (line: string) => process.stdout.write(`${line}\n`);
      try {
        const base = { store: { kind: 'sqlite', sqlite: { path: path.join(dir, 'interlock.db') } }, server: { port: 0 }, log: { level: 'warn' } };
        const host = await startDemoHost({ base, manufacturer: false });
        try {
          const result = await playScenario(host.scenario(opts.quiet === true ? () => undefined : print));
          print(`\n${summaryTable(result.deals, result.standings)}\n`);
          if (result.problems.length === 0) {
            print(`✓ Every system holds what it should: ${result.deals.length} deals booked once each in NetSuite and Stripe, billing fed back, renewal billed (${(result.elapsedMs / 1000).toFixed(1)} s).`);
          } else {
            print(`✗ ${result.problems.length} problem(s):`);
            for (const p of result.problems) print(`  - ${p}`);
            process.exitCode = 1;
          }
        } finally {
          await host.close();
        }
      } finally {
        if (opts.keep === true) print(`data kept in ${dir}`);
        else rmSync(dir, { recursive: true, force: true });
      }
    });
}

/** `interlock demo --story manufacturer`: Dynamics 365 → SAP S/4HANA, headless, checked. */
async function manufacturerDemo(opts: DemoOptions): Promise<void> {
  const { playManufacturerDemo, manufacturerTable } = await import('../../demo/manufacturer.ts');
  const dir = mkdtempSync(path.join(tmpdir(), 'interlock-demo-'));
  const print = (line: string) => process.stdout.write(`${line}\n`);
  try {
    const result = await playManufacturerDemo({ storePath: path.join(dir, 'interlock.db'), print: opts.quiet === true ? () => undefined : print });
    print(`\n${manufacturerTable(result.standings)}\n`);
    if (result.problems.length === 0) {
      print(`✓ Every system holds what it should: ${result.standings.length} won opportunities booked once each in SAP, shipments, invoices and a payment fed back to Dynamics, ${result.canonicalEvents.length} canonical events published (${(result.elapsedMs / 1000).toFixed(1)} s).`);
    } else {
      print(`✗ ${result.problems.length} problem(s):`);
      for (const p of result.problems) print(`  - ${p}`);
      process.exitCode = 1;
    }
  } finally {
    if (opts.keep === true) print(`data kept in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}
