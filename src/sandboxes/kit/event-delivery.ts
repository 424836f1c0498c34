/**
 * Outbound webhook delivery shared by every sandbox: POSTs each event to its endpoint, retries
 * failures with exponential backoff (as vendors do), and honours the fault settings
 * `duplicateEventRate` (some events arrive twice) and `outOfOrderEvents` (events are held briefly
 * and released in shuffled order).
 */
import { request } from 'undici';
import type { FaultController } from './fault-controller.ts';
import { shuffled } from './random.ts';

/** One event to deliver to one endpoint. */
export interface OutboundEvent {
  /** The vendor's event id (for logs and the delivery record). */
  id: string;
  /** Endpoint URL. */
  url: string;
  /** The raw body, exactly as signed. */
  body: string;
  /** Headers for each attempt, computed at send time (signatures carry a timestamp). */
  headers?: () => Record<string, string>;
}

/** The outcome of one event's delivery, kept for the admin state summary and tests. */
export interface DeliveryRecord {
  /** Event id. */
  id: string;
  /** Endpoint URL. */
  url: string;
  /** Attempts made so far. */
  attempts: number;
  /** `pending` while attempts remain, then `delivered` or `failed`. */
  status: 'pending' | 'delivered' | 'failed';
  /** Status code of the last attempt, or the network error's message. */
  lastResult: number | string | null;
}

/** Options of {@link EventDelivery}. */
export interface EventDeliveryOptions {
  /** Source of the duplicate and out-of-order settings and of the seeded randomness. */
  faults: FaultController;
  /** Attempts per event before giving up. @default 6 */
  maxAttempts?: number;
  /** Delay before the first retry; doubles each time. @default 500 */
  baseDelayMs?: number;
  /** How long out-of-order events are held before release in shuffled order. @default 200 */
  holdMs?: number;
  /** Per-attempt timeout. @default 10000 */
  timeoutMs?: number;
}

/** Delivers outbound events with retries and the delivery faults. */
export class EventDelivery {
  readonly #faults: FaultController;
  readonly #maxAttempts: number;
  readonly #baseDelayMs: number;
  readonly #holdMs: number;
  readonly #timeoutMs: number;
  readonly #records: DeliveryRecord[] = [];
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #inFlight = new Set<Promise<void>>();
  // Resolvers of retry waits, so reset() and close() end them instead of leaving them hanging.
  readonly #abandon = new Map<NodeJS.Timeout, () => void>();
  #held: OutboundEvent[] = [];
  #holdTimer: NodeJS.Timeout | null = null;
  #closed = false;

  constructor(options: EventDeliveryOptions) {
    this.#faults = options.faults;
    this.#maxAttempts = options.maxAttempts ?? 6;
    this.#baseDelayMs = options.baseDelayMs ?? 500;
    this.#holdMs = options.holdMs ?? 200;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** Queues one event; it may be delivered twice or held for shuffling, per the faults. */
  send(event: OutboundEvent): void {
    if (this.#closed) return;
    const copies = this.#faults.shouldDuplicateEvent() ? [event, event] : [event];
    if (!this.#faults.get().outOfOrderEvents) {
      for (const copy of copies) this.#start(copy);
      return;
    }
    this.#held.push(...copies);
    this.#holdTimer ??= this.#later(this.#holdMs, () => this.flush());
  }

  /** Releases held events now, in shuffled order. */
  flush(): void {
    if (this.#holdTimer !== null) this.#cancel(this.#holdTimer);
    this.#holdTimer = null;
    const held = shuffled(this.#held, this.#faults.random);
    this.#held = [];
    for (const event of held) this.#start(event);
  }

  /** Resolves when every queued event is delivered or has failed for good (flushes held ones). */
  async idle(): Promise<void> {
    for (;;) {
      if (this.#held.length > 0) this.flush();
      if (this.#inFlight.size === 0) return;
      await Promise.all([...this.#inFlight]);
    }
  }

  /** Every delivery so far, oldest first (one record per copy sent). */
  records(): readonly DeliveryRecord[] {
    return this.#records;
  }

  /** Forgets held events and records (pending retries are abandoned). */
  reset(): void {
    for (const timer of [...this.#timers]) this.#cancel(timer);
    this.#holdTimer = null;
    this.#held = [];
    this.#records.length = 0;
  }

  /** Stops all retries and refuses new events. */
  close(): void {
    this.#closed = true;
    this.reset();
  }

  #start(event: OutboundEvent): void {
    const record: DeliveryRecord = { id: event.id, url: event.url, attempts: 0, status: 'pending', lastResult: null };
    this.#records.push(record);
    const run = this.#deliver(event, record).finally(() => this.#inFlight.delete(run));
    this.#inFlight.add(run);
  }

  async #deliver(event: OutboundEvent, record: DeliveryRecord): Promise<void> {
    while (!this.#closed) {
      record.attempts += 1;
      if (await this.#attempt(event, record)) {
        record.status = 'delivered';
        return;
      }
      if (record.attempts >= this.#maxAttempts) break;
      const delay = this.#baseDelayMs * 2 ** (record.attempts - 1);
      const waited = await new Promise<boolean>((resolve) => {
        const timer = this.#later(delay, () => resolve(true));
        this.#abandon.set(timer, () => resolve(false));
      });
      if (!waited) break;
    }
    record.status = 'failed';
  }

  async #attempt(event: OutboundEvent, record: DeliveryRecord): Promise<boolean> {
    try {
      const response = await request(event.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8', ...event.headers?.() },
        body: event.body,
        headersTimeout: this.#timeoutMs,
        bodyTimeout: this.#timeoutMs,
      });
      await response.body.dump();
      record.lastResult = response.statusCode;
      return response.statusCode >= 200 && response.statusCode < 300;
    } catch (err) {
      record.lastResult = err instanceof Error ? err.message : String(err);
      return false;
    }
  }

  #later(ms: number, fn: () => void): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      this.#abandon.delete(timer);
      fn();
    }, ms);
    this.#timers.add(timer);
    return timer;
  }

  #cancel(timer: NodeJS.Timeout): void {
    clearTimeout(timer);
    this.#timers.delete(timer);
    this.#abandon.get(timer)?.();
    this.#abandon.delete(timer);
  }
}
