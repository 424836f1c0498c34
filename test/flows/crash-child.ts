/**
 * The process the flow crash test kills: a flow worker on the given store, running the five-step
 * flow whose every step posts its effect to a sink with the step's idempotency key. Argument:
 * JSON `{ store, sinkUrl }`.
 */
import { systemClock } from '../../src/core/clock.ts';
import { FlowRegistry } from '../../src/engine/flows/registry.ts';
import { FlowRuntime } from '../../src/engine/flows/runtime.ts';
import { openStore } from '../../src/store/open-store.ts';
import { silentLog } from '../support/engine-fixtures.ts';
import { crashFlow } from './crash-flow.ts';

const { store: storeConfig, sinkUrl } = JSON.parse(process.argv[2] ?? '{}') as {
  store: { kind: 'sqlite' | 'postgres'; sqlitePath: string; postgresUrl?: string };
  sinkUrl: string;
};
const store = await openStore(storeConfig);
const rt = new FlowRuntime({
  store,
  clock: systemClock,
  log: silentLog,
  registry: new FlowRegistry().register(crashFlow(sinkUrl)),
  worker: `crash-child-${process.pid}`,
  leaseMs: 1500,
  pollMs: 50,
});
await rt.worker.start();
process.on('SIGTERM', () => {
  void rt.worker.stop().then(() => store.close()).then(() => process.exit(0));
});
