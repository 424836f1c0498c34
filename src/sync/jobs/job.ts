/**
 * What a shipped reconciliation job is: its sides and rules over connected systems, the commands
 * that heal its discrepancies, and which classes heal without approval unless configured otherwise.
 */
import type { HealPlanner } from '../reconcile/heal.ts';
import type { ReconcileJob } from '../reconcile/reconciler.ts';
import type { Systems } from '../systems/systems.ts';

/** Settings of one run. */
export interface JobOptions {
  /** Largest amount difference (major units) that is not a mismatch. @default 0.01 */
  tolerance?: number;
}

/** A job that can be built over connected systems. */
export interface JobDefinition {
  name: string;
  description: string;
  /** Classes (`kind` or `kind@system`) healed without approval by default. */
  safe: readonly string[];
  build(systems: Systems, options: JobOptions): { job: ReconcileJob; plan: HealPlanner };
}

/** Key of a NetSuite or Stripe record that carries no link to its source: never joins, so an orphan. */
export function unlinkedKey(system: string, id: string): string {
  return `(unlinked) ${system}:${id}`;
}
