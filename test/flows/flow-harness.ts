/**
 * A flow runtime on a test store with a manual clock: tests move time and call `runDue()`
 * instead of waiting, and can open a second runtime on the same store (a restart).
 */
import { after, before, beforeEach } from 'node:test';
import { ManualClock } from '../../src/core/clock.ts';
import { FlowRegistry } from '../../src/engine/flows/registry.ts';
import { FlowRuntime } from '../../src/engine/flows/runtime.ts';
import type { FlowDefinition } from '../../src/flows/define-flow.ts';
import { buildLeadToOrderDeps } from '../../src/flows/lead-to-order/deps.ts';
import type { LeadToOrderDeps } from '../../src/flows/lead-to-order/deps.ts';
import { startSandboxes } from '../../src/flows/lead-to-order/test-support.ts';
import type { Sandboxes } from '../../src/flows/lead-to-order/test-support.ts';
import type { Store } from '../../src/store/store.ts';
import { silentLog } from '../support/engine-fixtures.ts';

/** A runtime for tests, with its clock. */
export interface TestRuntime {
  rt: FlowRuntime;
  clock: ManualClock;
}

/** Opens a runtime on `store` knowing `flows`; `clock` may be shared with an earlier runtime. */
export function testRuntime(store: Store, flows: readonly FlowDefinition[], options: { clock?: ManualClock; worker?: string } = {}): TestRuntime {
  const clock = options.clock ?? new ManualClock();
  const registry = new FlowRegistry();
  for (const f of flows) registry.register(f);
  const rt = new FlowRuntime({
    store,
    clock,
    log: silentLog,
    registry,
    worker: options.worker ?? `test-${Math.random().toString(36).slice(2, 8)}`,
    leaseMs: 30_000,
    pollMs: 50,
  });
  return { rt, clock };
}

/** A unique name, so suites sharing one store do not see each other's runs. */
export function unique(prefix: string): string {
  return `${prefix}-${Math.random().toString(36).slice(2, 10)}`;
}

/**
 * For a suite against the story's systems: the four seeded sandboxes and clients over them,
 * started before the suite, reset (re-seeded, no faults) before each test, closed after. Hands
 * them to `use` once started.
 */
export function withSandboxes(use: (sandboxes: Sandboxes, deps: LeadToOrderDeps) => void): void {
  let sandboxes: Sandboxes | undefined;
  let deps: LeadToOrderDeps | undefined;
  before(async () => {
    sandboxes = await startSandboxes();
    deps = await buildLeadToOrderDeps(sandboxes.options);
    use(sandboxes, deps);
  });
  after(async () => {
    await deps?.close();
    await sandboxes?.close();
  });
  beforeEach(async () => {
    await sandboxes?.reset();
  });
}
