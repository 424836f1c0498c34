/**
 * Change Data Capture: every committed change to Account, Opportunity, OpportunityLineItem or
 * Order becomes a change event with Salesforce's `ChangeEventHeader` and the changed field
 * values, numbered by a monotonically increasing replay id, kept for a retention window and
 * readable by subscribers that wait for new ones (long-poll).
 */
import { randomUUID } from 'node:crypto';
import type { Collection } from '../kit/index.ts';
import { CDC_ENTITIES } from './schema.ts';
import { INTEGRATION_USER_ID } from './store.ts';
import type { Transaction } from './store.ts';

/** A stored change event. */
export interface ChangeEvent {
  /** Internal sequence; clients see it only encoded as an opaque replay id. */
  readonly replay: number;
  /** Entity the event is about, e.g. `Account`. */
  readonly entityName: string;
  /** Epoch ms of the commit. */
  readonly committedAt: number;
  /** The event: id, schema id and the decoded payload. */
  readonly event: { readonly id: string; readonly schemaId: string; readonly payload: Record<string, unknown> };
}

/** The change event log of one sandbox. */
export class ChangeEventLog {
  readonly #events: Collection<ChangeEvent>;
  readonly #meta: Collection<{ n: number }>;
  readonly #retentionMs: number;
  readonly #waiters = new Set<() => void>();
  #oldest: number | undefined;

  constructor(events: Collection<ChangeEvent>, meta: Collection<{ n: number }>, retentionMs: number) {
    this.#events = events;
    this.#meta = meta;
    this.#retentionMs = retentionMs;
  }

  /** Turns a committed transaction into change events (only for CDC-enabled entities). */
  append(tx: Transaction): void {
    const commitNumber = this.#next('commitNumber');
    const committedAt = Date.now();
    for (const change of tx.changes) {
      if (!CDC_ENTITIES.has(change.entityName)) continue;
      const nulledFields = change.changeType === 'UPDATE' ? change.changedFields.filter((f) => change.values[f] === null) : [];
      const values: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(change.values)) if (v !== null && k !== 'Id') values[k] = v;
      const replay = this.#next('replay');
      const event: ChangeEvent = {
        replay,
        entityName: change.entityName,
        committedAt,
        event: {
          id: randomUUID(),
          schemaId: schemaIdOf(change.entityName),
          payload: {
            ChangeEventHeader: {
              entityName: change.entityName,
              recordIds: [change.recordId],
              changeType: change.changeType,
              changeOrigin: tx.origin,
              transactionKey: tx.key,
              sequenceNumber: change.sequenceNumber,
              commitTimestamp: committedAt,
              commitNumber,
              commitUser: INTEGRATION_USER_ID,
              nulledFields,
              diffFields: [],
              changedFields: change.changeType === 'UPDATE' ? [...change.changedFields] : [],
            },
            ...values,
          },
        },
      };
      this.#events.put(String(replay).padStart(12, '0'), event);
      if (this.#oldest !== undefined) this.#oldest = Math.min(this.#oldest, committedAt);
    }
    this.prune();
    for (const wake of [...this.#waiters]) wake();
  }

  /** Drops events older than the retention window. */
  prune(now = Date.now()): void {
    const cutoff = now - this.#retentionMs;
    // Scanning the log on every commit would cost O(events); the oldest commit time says when to.
    this.#oldest ??= this.#events.list()[0]?.committedAt ?? Infinity;
    if (this.#oldest >= cutoff) return;
    let oldest = Infinity;
    for (const e of this.#events.list()) {
      if (e.committedAt >= cutoff) {
        oldest = e.committedAt;
        break;
      }
      this.#events.delete(String(e.replay).padStart(12, '0'));
      this.#meta.put('prunedThrough', { n: e.replay });
    }
    this.#oldest = oldest;
  }

  /** Events after `replay` (exclusive) matching `entities` (all when null), oldest first. */
  after(replay: number, entities: ReadonlySet<string> | null, max: number): ChangeEvent[] {
    const out: ChangeEvent[] = [];
    for (const e of this.#events.list()) {
      if (out.length >= max) break;
      if (e.replay > replay && (entities === null || entities.has(e.entityName))) out.push(e);
    }
    return out;
  }

  /** The newest replay number (0 before any event). */
  latest(): number {
    return this.#meta.get('replay')?.n ?? 0;
  }

  /** The newest replay number no longer retained (0 when nothing has been pruned). */
  prunedThrough(): number {
    return this.#meta.get('prunedThrough')?.n ?? 0;
  }

  /** Resolves when a new event is appended, `ms` passes, or {@link wakeAll} is called. */
  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#waiters.add(done);
    });
  }

  /** Forgets cached positions after the underlying collection was emptied (reset). */
  reload(): void {
    this.#oldest = undefined;
  }

  /** Ends every wait now (the server is closing). */
  wakeAll(): void {
    for (const wake of [...this.#waiters]) wake();
  }

  #next(name: string): number {
    const n = (this.#meta.get(name)?.n ?? 0) + 1;
    this.#meta.put(name, { n });
    return n;
  }
}

/** A stable, opaque-looking schema id per entity, as Pub/Sub's `schema_id`. */
function schemaIdOf(entity: string): string {
  return Buffer.from(`${entity}ChangeEvent:v1`).toString('base64url').slice(0, 22);
}

/** Encodes a replay number as Pub/Sub's opaque `replay_id` bytes, base64 as in proto3 JSON. */
export function encodeReplayId(replay: number): string {
  const buf = Buffer.alloc(8);
  buf.writeBigUInt64BE(BigInt(replay));
  return buf.toString('base64');
}

/** Decodes a replay id; undefined when it is not one the sandbox issued. */
export function decodeReplayId(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const buf = Buffer.from(value, 'base64');
  if (buf.length !== 8 || buf.toString('base64') !== value) return undefined;
  const n = buf.readBigUInt64BE();
  return n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : undefined;
}
