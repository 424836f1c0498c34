/**
 * The engine of one process: intake (the inbox), routing into the outbox, delivery, retention.
 * An API-only process uses just the inbox; a worker runs the loops. On SQLite one process owns
 * the file, so at start every lease left by a previous (crashed) run is released at once; on
 * PostgreSQL leases of dead workers simply expire.
 */
import type { Clock } from '../core/clock.ts';
import type { Config } from '../core/config.ts';
import type { Logger } from '../core/logger.ts';
import type { Store } from '../store/store.ts';
import { DeadLetters } from './dead-letters.ts';
import type { FlowRegistry } from './flows/registry.ts';
import { FlowRuntime } from './flows/runtime.ts';
import type { Deliverer } from './delivery.ts';
import { Dispatcher, type DispatcherOptions } from './dispatcher.ts';
import { HttpDeliverer } from './http-deliverer.ts';
import { Inbox } from './inbox.ts';
import { InboxProcessor } from './inbox-processor.ts';
import { prune } from './retention.ts';
import { Router } from './router.ts';

/** Options of an {@link Engine}. */
export interface EngineOptions {
  store: Store;
  config: Config;
  clock: Clock;
  log: Logger;
  /** Performs deliveries; HTTP to the configured destinations by default. */
  deliverer?: Deliverer;
  onDecision?: DispatcherOptions['onDecision'];
  /** The flows this process runs (none by default). */
  flows?: FlowRegistry;
}

/** Intake, routing, delivery and retention for one process. */
export class Engine {
  readonly inbox: Inbox;
  readonly router: Router;
  readonly deadLetters: DeadLetters;
  /** Durable workflow runs: start, operate, and (in a worker) execute them. */
  readonly flows: FlowRuntime;
  readonly #o: EngineOptions;
  readonly #deliverer: Deliverer;
  readonly #processor: InboxProcessor;
  readonly #dispatcher: Dispatcher;
  #running = false;
  #processing: Promise<void> | undefined;
  #processAgain = false;
  #timers: NodeJS.Timeout[] = [];
  #unlisten: (() => void) | undefined;
  #gather: NodeJS.Timeout | undefined;

  constructor(options: EngineOptions) {
    this.#o = options;
    const { store, config, clock, log } = options;
    this.router = new Router(config.sources, options.flows?.all().flatMap((f) => f.triggers.map((t) => t.source)) ?? []);
    this.deadLetters = new DeadLetters(store, clock);
    this.#deliverer = options.deliverer ?? new HttpDeliverer(config.destinations, config.outbound.allow);
    const { id: worker, leaseMs, pollMs } = config.worker;
    this.flows = new FlowRuntime({ store, clock, log, worker, leaseMs, pollMs, ...(options.flows === undefined ? {} : { registry: options.flows }) });
    // Events are routed as they are stored unless a flow could start or resume on them, which
    // the processor's pass does inside its routing transaction.
    const registry = this.flows.registry;
    this.inbox = new Inbox(store, clock, { routing: { router: this.router, enabled: () => registry.all().length === 0, log } });
    this.#processor = new InboxProcessor({
      store,
      router: this.router,
      clock,
      log,
      batchSize: config.worker.batchSize,
      onEvent: (trx, events) => this.flows.onInboundEvents(trx, events),
    });
    this.#dispatcher = new Dispatcher({
      store,
      clock,
      log,
      deliverer: this.#deliverer,
      destinations: config.destinations,
      worker: config.worker.id,
      leaseMs: config.worker.leaseMs,
      pollMs: config.worker.pollMs,
      batchSize: config.worker.batchSize,
      ...(options.onDecision === undefined ? {} : { onDecision: options.onDecision }),
    });
  }

  /** Starts the worker loops: routing, delivery, retention. */
  async startWorker(): Promise<void> {
    const { store, config } = this.#o;
    if (store.dialect === 'sqlite') await releaseOrphanedLeases(store);
    this.#running = true;
    // Accepted events are announced batch by batch; routing what arrives within 2 ms together
    // costs that much latency and saves a routing transaction per small batch at low load.
    this.#unlisten = store.listen('inbox', () => {
      if (this.#gather !== undefined) return;
      this.#gather = setTimeout(() => {
        this.#gather = undefined;
        this.#kickProcessor();
      }, 2);
    });
    this.#timers.push(setInterval(() => this.#kickProcessor(), config.worker.pollMs));
    this.#timers.push(setInterval(() => void this.#prune(), config.retention.intervalMs));
    this.#kickProcessor();
    this.#dispatcher.start();
    await this.flows.worker.start();
  }

  /** Stops the loops after in-flight work is recorded; accepted events stay stored. */
  async stop(): Promise<void> {
    this.#running = false;
    this.#unlisten?.();
    clearTimeout(this.#gather);
    for (const t of this.#timers) clearInterval(t);
    await this.inbox.drain();
    await this.#processing;
    await this.#dispatcher.stop();
    await this.flows.worker.stop();
    await this.#deliverer.close?.();
  }

  #kickProcessor(): void {
    if (!this.#running) return;
    if (this.#processing !== undefined) {
      this.#processAgain = true;
      return;
    }
    this.#processing = (async () => {
      try {
        do {
          this.#processAgain = false;
          while (this.#running && (await this.#processor.runOnce()) === this.#o.config.worker.batchSize);
        } while (this.#processAgain && this.#running);
      } catch (err) {
        this.#o.log.error({ err: (err as Error).message }, 'routing inbound events failed; will retry on next poll');
      } finally {
        this.#processing = undefined;
      }
    })();
  }

  async #prune(): Promise<void> {
    try {
      const removed = await prune(this.#o.store, this.#o.clock, this.#o.config.retention);
      if (removed.inbox + removed.outbox > 0) this.#o.log.info(removed, 'retention pruned rows');
    } catch (err) {
      this.#o.log.error({ err: (err as Error).message }, 'retention failed');
    }
  }
}

/** Releases every lease in a SQLite store: the process that held them is gone. */
async function releaseOrphanedLeases(store: Store): Promise<void> {
  await store.db
    .updateTable('outbox')
    .set({ status: 'pending', lease_owner: null, lease_until: null })
    .where('status', '=', 'delivering')
    .execute();
}
