/**
 * A sync run in a process of its own, for the test that kills it: reads its settings from
 * `INTERLOCK_TEST_SYNC` (JSON: store config, systems options, batch size, lease, budgets) and
 * prints `batch <n> <read>` after each micro-batch whose cursor has moved.
 */
import { systemClock } from '../../../src/core/clock.ts';
import { openStore } from '../../../src/store/open-store.ts';
import type { StoreConfig } from '../../../src/store/store.ts';
import { ApiBudget, type Budgets } from '../../../src/sync/batch/budget.ts';
import { runSync } from '../../../src/sync/batch/sync-runner.ts';
import { findSync } from '../../../src/sync/batch/syncs/index.ts';
import { connectSystems, type SystemsOptions } from '../../../src/sync/systems/systems.ts';

const settings = JSON.parse(process.env.INTERLOCK_TEST_SYNC ?? '{}') as {
  store: StoreConfig;
  systems: SystemsOptions;
  sync: string;
  batchSize: number;
  leaseMs: number;
  budgets: Budgets;
};
const store = await openStore(settings.store);
const sync = findSync(settings.sync)(connectSystems(settings.systems), new ApiBudget({ budgets: settings.budgets }));
const outcome = await runSync(sync, { store, clock: systemClock }, {
  owner: `child-${process.pid}`,
  batchSize: settings.batchSize,
  leaseMs: settings.leaseMs,
  onBatch: (c) => process.stdout.write(`batch ${c.batches} ${c.read}\n`),
});
process.stdout.write(`done ${JSON.stringify(outcome)}\n`);
await store.close();
