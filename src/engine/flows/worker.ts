/**
 * The run worker: claims due runs (up to its concurrency in flight), executes them, and claims
 * more as they finish. Woken by new or resumed runs (in this process or, on PostgreSQL, any
 * other) and by a poll, which is also what notices timers that have come due.
 */
import type { Clock } from '../../core/clock.ts';
import type { Logger } from '../../core/logger.ts';
import type { Store } from '../../store/store.ts';
import { Executor } from './executor.ts';
import { Journal } from './journal.ts';
import type { FlowRegistry } from './registry.ts';
import { claimRuns, releaseOrphanedRuns, renewLeases } from './runs.ts';

/** Options of a {@link FlowWorker}. */
export interface FlowWorkerOptions {
  store: Store;
  clock: Clock;
  log: Logger;
  registry: FlowRegistry;
  /** Identifies this worker in leases; unique per process. */
  worker: string;
  leaseMs: number;
  pollMs: number;
  /** Runs executing at once. @default 256 */
  concurrency?: number;
}

/** Claims and executes runs. */
export class FlowWorker {
  readonly journal: Journal;
  readonly #o: FlowWorkerOptions;
  readonly #executor: Executor;
  readonly #concurrency: number;
  readonly #inFlight = new Set<Promise<void>>();
  /** Ids of the runs executing, for lease renewal. */
  readonly #runIds = new Set<number>();
  #heartbeat: NodeJS.Timeout | undefined;
  /** Claim transactions, for the benchmark's writes-per-step figure. */
  claims = 0;
  #claiming: Promise<number> | undefined;
  #again = false;
  #running = false;
  #stopping = false;
  #poll: NodeJS.Timeout | undefined;
  #unlisten: (() => void) | undefined;

  constructor(options: FlowWorkerOptions) {
    this.#o = options;
    this.#concurrency = options.concurrency ?? 256;
    this.journal = new Journal({ store: options.store, clock: options.clock, worker: options.worker, leaseMs: options.leaseMs });
    this.#executor = new Executor({
      registry: options.registry,
      journal: this.journal,
      clock: options.clock,
      log: options.log,
      stopping: () => this.#stopping,
    });
  }

  /** Starts the loop. On SQLite, leases left by a previous process are released first. */
  async start(): Promise<void> {
    this.#stopping = false;
    if (this.#o.store.dialect === 'sqlite') await releaseOrphanedRuns(this.#o.store, this.#o.clock.now());
    this.#running = true;
    this.#unlisten = this.#o.store.listen('runs', () => this.wake());
    this.#poll = setInterval(() => this.wake(), this.#o.pollMs);
    // Every journal write renews a run's lease; this keeps it while one step runs long.
    this.#heartbeat = setInterval(() => void this.#renew(), Math.max(50, Math.floor(this.#o.leaseMs / 3)));
    this.wake();
  }

  /** Stops claiming; runs in flight finish the step they are in and give their lease back. */
  async stop(): Promise<void> {
    this.#running = false;
    this.#stopping = true;
    this.#unlisten?.();
    clearInterval(this.#poll);
    await this.#claiming;
    await this.#idle();
    clearInterval(this.#heartbeat);
    await this.journal.drain();
  }

  /** Looks for due runs now. */
  wake(): void {
    if (this.#running) void this.#claimLoop();
  }

  /**
   * Executes every run due now, and what they make due, until none is left; resolves to how many
   * executions ran. For tests and tools that drive time with a manual clock, without the loop.
   */
  async runDue(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.#claimOnce();
      await this.#idle();
      if (n === 0) return total;
      total += n;
    }
  }

  #claimLoop(): Promise<number> {
    if (this.#claiming !== undefined) {
      this.#again = true;
      return this.#claiming;
    }
    this.#claiming = (async () => {
      let total = 0;
      try {
        do {
          this.#again = false;
          const n = await this.#claimOnce();
          total += n;
          if (n > 0 && this.#inFlight.size < this.#concurrency) this.#again = true;
        } while (this.#again && this.#running);
      } catch (err) {
        this.#o.log.error({ err: (err as Error).message }, 'claiming runs failed; will retry on next poll');
      } finally {
        this.#claiming = undefined;
      }
      return total;
    })();
    return this.#claiming;
  }

  async #claimOnce(): Promise<number> {
    const room = this.#concurrency - this.#inFlight.size;
    if (room <= 0) return 0;
    this.claims += 1;
    const claimed = await claimRuns(this.#o.store, this.#o.worker, room, this.#o.clock.now(), this.#o.leaseMs);
    for (const c of claimed) {
      this.#runIds.add(c.run.id);
      if (c.run.lease_until !== null) this.journal.held(c.run.id, c.run.lease_until);
      const p: Promise<void> = this.#executor
        .execute(c)
        .catch((err: unknown) => this.#o.log.error({ runId: c.run.id, err: (err as Error).message }, 'run execution failed; its lease will expire'))
        .finally(() => {
          this.#runIds.delete(c.run.id);
          this.journal.forget(c.run.id);
          this.#inFlight.delete(p);
          this.wake();
        });
      this.#inFlight.add(p);
    }
    return claimed.length;
  }

  async #renew(): Promise<void> {
    try {
      await renewLeases(this.#o.store, this.#o.worker, [...this.#runIds], this.#o.clock.now(), this.#o.leaseMs);
    } catch (err) {
      this.#o.log.warn({ err: (err as Error).message }, 'renewing run leases failed; will retry');
    }
  }

  async #idle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }
}
