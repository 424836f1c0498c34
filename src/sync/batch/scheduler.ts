/**
 * The sync scheduler a worker runs: every `pollMs` it asks the store which syncs are due and
 * runs each whose lease it wins. Any number of workers may run it; the lease makes each due sync
 * run once, and the schedule's next time lives in the store, so a restart neither skips nor
 * doubles a run.
 */
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Clock } from '../../core/clock.ts';
import { toInterlockError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { Store } from '../../store/store.ts';
import type { Systems } from '../systems/systems.ts';
import { ApiBudget } from './budget.ts';
import { checkCron } from './cron.ts';
import { SyncSchedules } from './schedules.ts';
import { runSync, type SyncOutcome } from './sync-runner.ts';
import type { SyncDefinition } from './sync-definition.ts';
import { findSync, SYNCS } from './syncs/index.ts';

/** What the scheduler needs. */
export interface SchedulerDeps {
  store: Store;
  clock: Clock;
  systems: Systems;
  log?: Logger;
  budget?: ApiBudget;
  /** Cron per sync name, overriding the syncs' defaults; syncs not named keep theirs. */
  crons?: Readonly<Record<string, string>>;
  /** Only these syncs. @default every shipped sync */
  only?: readonly string[];
  /** @default 15000 */
  pollMs?: number;
  /** Records per micro-batch. @default 200 */
  batchSize?: number;
}

/** Runs due syncs, one instance of each across all workers. */
export class SyncScheduler {
  readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  readonly #deps: SchedulerDeps;
  readonly #schedules: SyncSchedules;
  readonly #syncs = new Map<string, SyncDefinition>();
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<unknown> | undefined;

  constructor(deps: SchedulerDeps) {
    this.#deps = deps;
    this.#schedules = new SyncSchedules(deps.store, deps.clock);
    // Budgets meter real time whatever clock schedules the runs (a test's manual clock included).
    const budget = deps.budget ?? new ApiBudget();
    for (const name of deps.only ?? []) findSync(name);
    for (const [name, factory] of Object.entries(SYNCS)) {
      if (deps.only !== undefined && !deps.only.includes(name)) continue;
      const sync = factory(deps.systems, budget);
      const cron = deps.crons?.[name];
      if (cron !== undefined) checkCron(cron, `sync.schedules.${name}`);
      this.#syncs.set(name, cron === undefined ? sync : { ...sync, cron });
    }
  }

  /** Writes each sync's schedule to the store (kept when unchanged). */
  async init(): Promise<void> {
    for (const sync of this.#syncs.values()) await this.#schedules.ensure(sync.name, sync.cron);
  }

  /** Runs every due sync this worker wins; answers what each did. */
  async tick(): Promise<Record<string, SyncOutcome | { status: 'failed'; error: string }>> {
    const outcomes: Record<string, SyncOutcome | { status: 'failed'; error: string }> = {};
    for (const name of await this.#schedules.due()) {
      const sync = this.#syncs.get(name);
      if (sync === undefined) continue;
      try {
        outcomes[name] = await runSync(sync, this.#deps, { owner: this.owner, ...(this.#deps.batchSize === undefined ? {} : { batchSize: this.#deps.batchSize }) });
      } catch (err) {
        const error = toInterlockError(err).message;
        this.#deps.log?.warn({ sync: name, err: error }, 'sync run failed; it resumes from its cursor at its next run');
        outcomes[name] = { status: 'failed', error };
      }
    }
    return outcomes;
  }

  /** Starts polling. */
  async start(): Promise<void> {
    await this.init();
    const loop = () => {
      this.#running = this.tick().finally(() => {
        if (this.#running !== undefined) this.#timer = setTimeout(loop, this.#deps.pollMs ?? 15_000);
      });
    };
    loop();
  }

  /** Stops polling and waits for a run in progress to end. */
  async stop(): Promise<void> {
    const running = this.#running;
    this.#running = undefined;
    clearTimeout(this.#timer);
    await running?.catch(() => undefined);
  }
}
