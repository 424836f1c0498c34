/**
 * The dispatcher: for each destination, keeps up to its concurrency of deliveries in flight,
 * claiming more as attempts finish, and hands every outcome to the {@link CompletionRecorder}.
 * It is woken by new outbox messages (in this process or, on PostgreSQL, any other) and polls
 * as a fallback, so a lost wake-up costs at most one poll interval.
 */
import type { Clock } from '../core/clock.ts';
import type { DestinationConfig } from '../core/config.ts';
import type { Logger } from '../core/logger.ts';
import { recordDelivery } from '../observability/metrics.ts';
import { contextOf, failSpan, inSpan, traceparentOfSpan } from '../observability/tracing.ts';
import type { Store } from '../store/store.ts';
import { Claimer, type ClaimedMessage } from './claims.ts';
import { CompletionRecorder, type Decision } from './completions.ts';
import { outcomeFromError, type Deliverer, type DeliveryOutcome } from './delivery.ts';

interface Pump {
  readonly name: string;
  readonly policy: DestinationConfig;
  readonly claimer: Claimer;
  /** Messages this worker is sending right now (their outcomes may still be being recorded). */
  readonly inFlight: Set<number>;
  claiming: Promise<void> | undefined;
  again: boolean;
  timer: NodeJS.Timeout | undefined;
}

/** Options of a {@link Dispatcher}. */
export interface DispatcherOptions {
  store: Store;
  clock: Clock;
  log: Logger;
  deliverer: Deliverer;
  destinations: Readonly<Record<string, DestinationConfig>>;
  worker: string;
  leaseMs: number;
  pollMs: number;
  batchSize: number;
  /** Called after each recorded outcome (metrics, tests). */
  onDecision?: (message: ClaimedMessage, outcome: DeliveryOutcome, decision: Decision) => void;
}

/** Delivers outbox messages to their destinations. */
export class Dispatcher {
  readonly #o: DispatcherOptions;
  readonly #pumps: Pump[];
  readonly #recorder: CompletionRecorder;
  readonly #deliveries = new Set<Promise<void>>();
  #stopped = true;
  #poll: NodeJS.Timeout | undefined;
  #gather: NodeJS.Timeout | undefined;
  #unlisten: (() => void) | undefined;

  constructor(options: DispatcherOptions) {
    this.#o = options;
    this.#pumps = Object.entries(options.destinations).map(([name, policy]) => ({
      name,
      policy,
      claimer: new Claimer(options.store, name, policy, options.worker, options.leaseMs),
      inFlight: new Set(),
      claiming: undefined,
      again: false,
      timer: undefined,
    }));
    this.#recorder = new CompletionRecorder({
      store: options.store,
      clock: options.clock,
      destinations: options.destinations,
      worker: options.worker,
    });
  }

  /** Starts delivering. */
  start(): void {
    this.#stopped = false;
    // New messages are announced in small batches; gathering the announcements of 2 ms into one
    // claim costs that much latency and saves a claim transaction per message at low load.
    this.#unlisten = this.#o.store.listen('outbox', () => this.#wakeSoon());
    this.#poll = setInterval(() => this.wake(), this.#o.pollMs);
    this.wake();
  }

  // New messages and freed slots come one at a time; gathering what happens in 2 ms into one
  // claim costs that much latency and saves a claim transaction per message at low load.
  #wakeSoon(): void {
    if (this.#gather !== undefined || this.#stopped) return;
    this.#gather = setTimeout(() => {
      this.#gather = undefined;
      this.wake();
    }, 2);
  }

  /** Looks for work on every destination now. */
  wake(): void {
    for (const pump of this.#pumps) void this.#pump(pump);
  }

  /** Stops claiming, lets attempts in flight finish and records their outcomes. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#unlisten?.();
    clearInterval(this.#poll);
    clearTimeout(this.#gather);
    for (const p of this.#pumps) clearTimeout(p.timer);
    // A claim under way may still hand out messages: let it, then wait for their deliveries.
    await Promise.allSettled(this.#pumps.map((p) => p.claiming));
    while (this.#deliveries.size > 0) await Promise.allSettled([...this.#deliveries]);
    await this.#recorder.drain();
  }

  #pump(p: Pump): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    if (p.claiming !== undefined) {
      p.again = true;
      return p.claiming;
    }
    p.claiming = this.#claimLoop(p).finally(() => {
      p.claiming = undefined;
    });
    return p.claiming;
  }

  async #claimLoop(p: Pump): Promise<void> {
    try {
      do {
        p.again = false;
        // Claim in chunks of half the concurrency: two chunks in flight overlap one's delivery
        // with the other's recording, and no claim transaction is paid per single delivery.
        const chunk = Math.min(this.#o.batchSize, Math.ceil(p.policy.concurrency / 2));
        const room = Math.min(chunk, p.policy.concurrency - p.inFlight.size);
        if (room <= 0 || (p.inFlight.size > 0 && room < chunk) || this.#stopped) break;
        const now = this.#o.clock.now();
        const claim = await p.claimer.claim(room, now);
        for (const m of claim.messages) {
          if (p.inFlight.has(m.id)) continue;
          p.inFlight.add(m.id);
          this.#track(this.#deliver(p, m));
        }
        if (claim.blockedUntil > now) this.#wakeAt(p, claim.blockedUntil);
        if (claim.messages.length === room) p.again = true;
      } while (p.again && !this.#stopped);
    } catch (err) {
      this.#o.log.error({ destination: p.name, err: (err as Error).message }, 'claim failed; will retry on next poll');
    }
  }

  #track(delivery: Promise<void>): void {
    this.#deliveries.add(delivery);
    void delivery.finally(() => this.#deliveries.delete(delivery));
  }

  async #deliver(p: Pump, m: ClaimedMessage): Promise<void> {
    // One span per attempt, in the trace of what caused the message; the destination continues it.
    const attributes = { 'interlock.destination': m.destination, 'interlock.message_id': m.id, 'interlock.attempt': m.attempt };
    const outcome = await inSpan(`deliver ${m.destination}`, { kind: 'client', parent: contextOf(m.headers.traceparent), attributes, leaf: true }, async (span) => {
      let o: DeliveryOutcome;
      try {
        const traceparent = traceparentOfSpan(span);
        o = await this.#o.deliverer.deliver({
          id: m.id,
          destination: m.destination,
          key: m.key,
          idempotencyKey: m.idempotencyKey,
          payload: m.payload,
          headers: traceparent === undefined ? m.headers : { ...m.headers, traceparent },
          attempt: m.attempt,
        });
      } catch (err) {
        o = outcomeFromError(err);
      }
      if (!o.ok) failSpan(span, o.reason);
      return o;
    });
    // The slot is free as soon as the attempt is over: the next claim can run while this outcome
    // is being recorded. (The shared cap still counts the message until it is recorded.)
    p.inFlight.delete(m.id);
    this.#wakeSoon();
    try {
      const decision = await this.#recorder.record({ message: m, outcome });
      if (decision !== 'lost-lease') recordDelivery(m.destination, !outcome.ok && outcome.failure === 'rate-limited' && decision === 'retry' ? 'rate-limited' : decision, m.attempt);
      this.#o.onDecision?.(m, outcome, decision);
      if (decision === 'dead') {
        this.#o.log.warn({ destination: m.destination, messageId: m.id, reason: outcome.ok ? '' : outcome.reason }, 'message parked as dead letter');
      }
    } catch (err) {
      // The lease will expire and the message will be claimed again: nothing is lost.
      this.#o.log.error({ messageId: m.id, err: (err as Error).message }, 'could not record outcome');
    }
  }

  #wakeAt(p: Pump, at: number): void {
    clearTimeout(p.timer);
    const delay = Math.max(1, Math.min(at - this.#o.clock.now(), this.#o.pollMs));
    p.timer = setTimeout(() => void this.#pump(p), delay);
  }
}
