/**
 * Change Data Capture subscriber: reads change events from Salesforce's Pub/Sub `Fetch` (here
 * its HTTP/JSON projection), remembering where it is in the cursor store so that a restart
 * carries on from the last acknowledged batch — nothing skipped. Delivery is at least once: a
 * batch handed out but not acknowledged (a crash, a break) comes again, and the inbox absorbs it.
 */
import { InterlockError } from '../../../core/errors.ts';
import type { CursorStore } from '../../kit/cursor-store.ts';
import type { SalesforceClient } from '../client.ts';

/** One change, as the flows consume it. */
export interface SalesforceChangeEvent {
  /** Event UUID. */
  id: string;
  /** Opaque replay id (base64), for logs and de-duplication only: never compute with it. */
  replayId: string;
  entityName: string;
  /** CREATE, UPDATE, DELETE, UNDELETE or a GAP_ variant (re-read the record). */
  changeType: string;
  changedFields: string[];
  recordIds: string[];
  /** Epoch ms of the commit. */
  commitTimestamp: number;
  /** Order of this change within its transaction. */
  sequence: number;
  transactionKey: string;
  commitNumber: number;
  /** The changed field values (for UPDATE only those that changed). */
  fields: Record<string, unknown>;
}

/** Options of a {@link ChangeDataCaptureSubscriber}. */
export interface ChangeDataCaptureOptions {
  /** Where the replay id is kept. */
  cursors: CursorStore;
  /** `/data/ChangeEvents` (all selected entities) or `/data/<Entity>ChangeEvent`. @default '/data/ChangeEvents' */
  topic?: string;
  /** Where to begin when no replay id is stored yet. @default 'LATEST' */
  startFrom?: 'LATEST' | 'EARLIEST';
  /** Events per fetch, 1–100. @default 100 */
  batchSize?: number;
  /** How long one fetch waits for new events before answering empty. @default 10000 */
  waitMs?: number;
}

/** One fetched batch; `ack()` stores its position so that it is not delivered again. */
export interface ChangeBatch {
  events: SalesforceChangeEvent[];
  ack(): Promise<void>;
}

interface FetchResponse {
  events: Array<{ event: { id: string; payload: Record<string, unknown> }; replayId: string }>;
  latestReplayId: string;
}

/** Subscribes to one CDC topic for one connector instance. */
export class ChangeDataCaptureSubscriber {
  readonly #client: SalesforceClient;
  readonly #o: Required<ChangeDataCaptureOptions>;
  // The position acknowledged last (as stored), or undefined before the first ack of a new cursor.
  #position: string | undefined;
  #loaded = false;

  constructor(client: SalesforceClient, options: ChangeDataCaptureOptions) {
    this.#client = client;
    this.#o = { topic: '/data/ChangeEvents', startFrom: 'LATEST', batchSize: 100, waitMs: 10_000, ...options };
    if (!Number.isInteger(this.#o.batchSize) || this.#o.batchSize < 1 || this.#o.batchSize > 100) {
      throw new InterlockError('validation', `batchSize must be an integer from 1 to 100, got ${this.#o.batchSize}`);
    }
  }

  /** The cursor's name in the store. */
  get cursorName(): string {
    return `cdc:${this.#o.topic}`;
  }

  /** Fetches the events after the acknowledged position (waiting up to `waitMs` for some). */
  async poll(): Promise<ChangeBatch> {
    if (!this.#loaded) {
      this.#position = await this.#o.cursors.get(this.cursorName);
      this.#loaded = true;
    }
    const from = this.#position;
    const request = {
      topicName: this.#o.topic,
      numRequested: this.#o.batchSize,
      waitMs: this.#o.waitMs,
      ...(from === undefined ? { replayPreset: this.#o.startFrom } : { replayPreset: 'CUSTOM', replayId: from }),
    };
    const res = await this.#client.pubSub<FetchResponse>('Fetch', request, this.#o.waitMs + 15_000);
    const seen = new Set<string>();
    const events: SalesforceChangeEvent[] = [];
    for (const e of res.events) {
      // Pub/Sub may hand the same event twice; within a batch one copy is enough.
      if (seen.has(e.replayId)) continue;
      seen.add(e.replayId);
      events.push(toChangeEvent(e.event.id, e.replayId, e.event.payload));
    }
    return { events, ack: () => this.#ack(from, res.latestReplayId) };
  }

  /**
   * Batches one after another until `signal` aborts. Asking for the next batch acknowledges the
   * previous one; the last batch before a break is acknowledged only by its own `ack()`.
   */
  async *batches(signal?: AbortSignal): AsyncGenerator<ChangeBatch> {
    let previous: ChangeBatch | undefined;
    while (signal?.aborted !== true) {
      if (previous !== undefined) await previous.ack();
      const batch = await this.poll();
      previous = batch;
      yield batch;
    }
  }

  async #ack(from: string | undefined, to: string): Promise<void> {
    if (this.#position !== from) {
      throw new InterlockError('conflict', 'Salesforce CDC: a batch was acknowledged out of turn (acknowledge batches in order)');
    }
    if (from === to) return;
    if (!(await this.#o.cursors.set(this.cursorName, to, from))) {
      this.#loaded = false;
      throw new InterlockError('conflict', `Salesforce CDC cursor ${this.cursorName} was moved by another subscriber; re-reading it`);
    }
    this.#position = to;
  }
}

function toChangeEvent(id: string, replayId: string, payload: Record<string, unknown>): SalesforceChangeEvent {
  const header = (payload['ChangeEventHeader'] ?? {}) as Record<string, unknown>;
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(payload)) if (k !== 'ChangeEventHeader') fields[k] = v;
  return {
    id,
    replayId,
    entityName: String(header['entityName'] ?? ''),
    changeType: String(header['changeType'] ?? ''),
    changedFields: strings(header['changedFields']),
    recordIds: strings(header['recordIds']),
    commitTimestamp: Number(header['commitTimestamp'] ?? 0),
    sequence: Number(header['sequenceNumber'] ?? 0),
    transactionKey: String(header['transactionKey'] ?? ''),
    commitNumber: Number(header['commitNumber'] ?? 0),
    fields,
  };
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}
