/**
 * Runs a pull trigger (Salesforce Change Data Capture, a polling cursor) into the inbox: fetch a
 * batch, store every event it yields durably, then acknowledge the batch so the trigger's cursor
 * moves past it. A crash between the two delivers the batch again, and the inbox absorbs the
 * copies — at least once in, exactly once processed. Failures back off with jitter and never stop
 * the pump: a vendor outage delays events, it does not lose them.
 */
import type { Logger } from '../core/logger.ts';
import { nextDelay } from './backoff.ts';
import type { InboundEvent, Inbox } from './inbox.ts';

/** One fetched batch of a trigger. */
export interface TriggerBatch {
  events: readonly InboundEvent[];
  /** Moves the trigger's stored position past this batch. */
  ack(): Promise<void>;
}

/** A source of batches: each call waits (long-polls) for the next one. */
export interface PullTrigger {
  /** For logs, e.g. `salesforce-cdc`. */
  readonly name: string;
  next(): Promise<TriggerBatch>;
}

/** Options of a {@link TriggerPump}. */
export interface TriggerPumpOptions {
  trigger: PullTrigger;
  inbox: Pick<Inbox, 'accept'>;
  log: Logger;
  /** @default 1000 */
  initialDelayMs?: number;
  /** @default 60000 */
  maxDelayMs?: number;
}

/** Moves a pull trigger's events into the inbox until stopped. */
export class TriggerPump {
  readonly #o: Required<TriggerPumpOptions>;
  #stopped = true;
  #loop: Promise<void> | undefined;
  /** Events stored (duplicates included) since start. */
  accepted = 0;

  constructor(options: TriggerPumpOptions) {
    this.#o = { initialDelayMs: 1000, maxDelayMs: 60_000, ...options };
  }

  /** Starts pumping in the background. */
  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#loop = this.#run();
  }

  /**
   * Stops. A long poll in flight is not waited for longer than `graceMs`: its batch is never
   * acknowledged, so its events come again on the next start.
   */
  async stop(graceMs = 250): Promise<void> {
    this.#stopped = true;
    if (this.#loop === undefined) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.#loop, new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
  }

  async #run(): Promise<void> {
    let failures = 0;
    while (!this.#stopped) {
      try {
        const batch = await this.#o.trigger.next();
        if (this.#stopped) return;
        await Promise.all(batch.events.map((e) => this.#o.inbox.accept(e)));
        this.accepted += batch.events.length;
        await batch.ack();
        failures = 0;
      } catch (err) {
        if (this.#stopped) return;
        failures++;
        const delay = nextDelay({ initialDelayMs: this.#o.initialDelayMs, maxDelayMs: this.#o.maxDelayMs }, failures);
        this.#o.log.warn({ trigger: this.#o.trigger.name, err: (err as Error).message, retryInMs: delay }, 'trigger fetch failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, delay).unref());
      }
    }
  }
}
