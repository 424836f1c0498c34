/**
 * Healing: a discrepancy is healed by replaying the idempotent command that should have produced
 * the right state (a re-sync, a create by external id, a status update). Classes the policy names
 * safe heal at once; others wait for a person's approval; discrepancies no command can fix
 * (orphans, duplicates, amounts on posted documents) are marked for a person. Each heal is
 * claimed in the store before it runs, so two healers never run the same one, and each outcome
 * is written to the security audit log.
 */
import type { Clock } from '../../core/clock.ts';
import { conflictError, toInterlockError } from '../../core/errors.ts';
import { AuditLog } from '../../security/audit-log.ts';
import type { Store } from '../../store/store.ts';
import type { Discrepancy, StoredDiscrepancy } from './discrepancy.ts';
import { ReconcileRuns } from './run-history.ts';

/** The command that heals one discrepancy. Running it twice must change nothing the second time. */
export interface HealCommand {
  /** What it replays, for the report and the audit, e.g. `netsuite.upsert-customer`. */
  name: string;
  /** Runs the command; answers what it did (ids made or found, `created: false` on a replay). */
  run(): Promise<Record<string, unknown>>;
}

/** Finds the command for a discrepancy, or undefined when only a person can fix it. */
export type HealPlanner = (d: Discrepancy) => HealCommand | undefined;

/** Which classes heal without approval: `kind` (any system) or `kind@system`. */
export interface HealPolicy {
  safe: readonly string[];
}

/** Whether `policy` lets `d` heal without approval. */
export function isSafe(policy: HealPolicy, d: Discrepancy): boolean {
  return policy.safe.includes(d.kind) || policy.safe.includes(`${d.kind}@${d.system}`);
}

/** What a heal pass did. */
export interface HealSummary {
  healed: number;
  failed: number;
  pendingApproval: number;
  manual: number;
}

/** Heals the discrepancies of runs, auditing each heal. */
export class Healer {
  readonly #runs: ReconcileRuns;
  readonly #audit: AuditLog;

  constructor(store: Store, clock: Clock) {
    this.#runs = new ReconcileRuns(store, clock);
    this.#audit = new AuditLog(store, clock);
  }

  /** Heals what is safe in run `runId`, queues the rest for approval, marks the unfixable. */
  async healRun(runId: number, job: string, plan: HealPlanner, policy: HealPolicy, actor: string): Promise<HealSummary> {
    const summary: HealSummary = { healed: 0, failed: 0, pendingApproval: 0, manual: 0 };
    // Paged by id, so a run with any number of discrepancies heals in bounded memory; each one
    // leaves `none` as it is handled, which the next page's `id >` bound does not mind.
    for await (const d of this.#runs.discrepancies(runId, { healStatus: 'none' })) {
      const command = plan(d);
      if (command === undefined) {
        if (await this.#runs.setHeal(d.id, ['none'], 'manual', 'no command heals this class; a person must decide')) summary.manual++;
      } else if (!isSafe(policy, d)) {
        if (await this.#runs.setHeal(d.id, ['none'], 'pending-approval', `${command.name} after approval`)) summary.pendingApproval++;
      } else {
        const outcome = await this.#apply(d, job, command, ['none'], actor);
        if (outcome === 'healed') summary.healed++;
        else if (outcome === 'failed') summary.failed++;
      }
    }
    return summary;
  }

  /** Approves and runs the heal of discrepancy `id` (waiting for approval, or failed before). */
  async approve(id: number, job: string, plan: HealPlanner, actor: string): Promise<StoredDiscrepancy> {
    const d = await this.#runs.discrepancy(id);
    const command = plan(d);
    if (command === undefined || !['pending-approval', 'failed'].includes(d.healStatus)) {
      throw conflictError(`discrepancy ${id} is ${d.healStatus}${command === undefined ? ' and no command heals it' : ''}; only one waiting for approval (or failed) can be approved`, { type: 'not-awaiting-approval' });
    }
    const outcome = await this.#apply(d, job, command, ['pending-approval', 'failed'], actor);
    if (outcome === 'taken') throw conflictError(`discrepancy ${id} is being healed by someone else`, { type: 'not-awaiting-approval' });
    return this.#runs.discrepancy(id);
  }

  /** Rejects the heal of discrepancy `id`; audited like a heal. */
  async reject(id: number, job: string, actor: string, reason: string): Promise<StoredDiscrepancy> {
    const d = await this.#runs.discrepancy(id);
    if (!(await this.#runs.setHeal(id, ['pending-approval', 'failed'], 'rejected', reason))) {
      throw conflictError(`discrepancy ${id} is ${d.healStatus}; only one waiting for approval (or failed) can be rejected`, { type: 'not-awaiting-approval' });
    }
    await this.#audit.append({ actor, action: 'reconcile.heal-rejected', target: targetOf(job, d), before: snapshot(d), after: { reason } });
    return this.#runs.discrepancy(id);
  }

  async #apply(d: StoredDiscrepancy, job: string, command: HealCommand, from: StoredDiscrepancy['healStatus'][], actor: string): Promise<'healed' | 'failed' | 'taken'> {
    if (!(await this.#runs.setHeal(d.id, from, 'healing', command.name))) return 'taken';
    try {
      const result = await command.run();
      await this.#runs.setHeal(d.id, ['healing'], 'healed', `${command.name}: ${JSON.stringify(result)}`);
      await this.#audit.append({ actor, action: 'reconcile.heal', target: targetOf(job, d), before: snapshot(d), after: { command: command.name, result } });
      return 'healed';
    } catch (err) {
      const e = toInterlockError(err);
      await this.#runs.setHeal(d.id, ['healing'], 'failed', `${command.name}: ${e.message}`);
      await this.#audit.append({ actor, action: 'reconcile.heal-failed', target: targetOf(job, d), before: snapshot(d), after: { command: command.name, error: e.message, code: e.code } });
      return 'failed';
    }
  }
}

function targetOf(job: string, d: Discrepancy): string {
  return `reconcile/${job}/${d.kind}/${d.system}/${d.key}`;
}

function snapshot(d: Discrepancy): Record<string, unknown> {
  return { kind: d.kind, system: d.system, key: d.key, recordIds: d.recordIds, field: d.field ?? null, expected: d.expected ?? null, actual: d.actual ?? null };
}
