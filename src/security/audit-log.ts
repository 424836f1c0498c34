/**
 * The security audit log: append-only and hash-chained. Each entry's hash is SHA-256 of the
 * previous entry's hash and the canonical JSON of (actor, action, target, before, after, at), so
 * changing, removing or reordering any entry breaks every link after it, which {@link
 * AuditLog.verify} finds. The database refuses UPDATE and DELETE on the table (triggers), and a
 * unique `prev_hash` keeps concurrent writers from forking the chain.
 */
import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { stringify } from 'safe-stable-stringify';
import type { Clock } from '../core/clock.ts';
import type { Database } from '../store/schema.ts';
import type { Store } from '../store/store.ts';

/** The `prev_hash` of the first entry. */
export const GENESIS_HASH = '0'.repeat(64);

/** What an admin action records. Never put a secret's value in `before` or `after`. */
export interface AuditInput {
  /** Who acted: `key:<id>`, `token:admin`, `cli:<user>`, `loopback`. */
  actor: string;
  /** What was done, e.g. `key.created`, `secret.set`, `dead-letter.replay`. */
  action: string;
  /** What it was done to, e.g. `key:ab12…`, `secret:stripe`, `dead-letters/7`. */
  target: string;
  before?: unknown;
  after?: unknown;
}

/** An entry as stored. */
export interface AuditRecord {
  id: number;
  at: number;
  actor: string;
  action: string;
  target: string;
  before: unknown;
  after: unknown;
  prevHash: string;
  hash: string;
}

/** A remembered position in the chain, to detect entries cut from its end. */
export interface AuditAnchor {
  id: number;
  hash: string;
}

/** The outcome of {@link AuditLog.verify}. */
export type AuditVerification =
  | { ok: true; entries: number }
  | { ok: false; entries: number; brokenAt: number; reason: string };

/** Canonical JSON: keys sorted at every level, so the same value always hashes the same. */
export function canonicalJson(value: unknown): string {
  return stringify(value ?? null) ?? 'null';
}

/** The hash of an entry given the hash before it. */
export function entryHash(prevHash: string, e: { actor: string; action: string; target: string; before: string | null; after: string | null; at: number }): string {
  const body = canonicalJson({
    actor: e.actor,
    action: e.action,
    target: e.target,
    before: e.before === null ? null : (JSON.parse(e.before) as unknown),
    after: e.after === null ? null : (JSON.parse(e.after) as unknown),
    at: e.at,
  });
  return createHash('sha256').update(prevHash).update('\n').update(body).digest('hex');
}

/** The append-only security audit log of a store. */
export class AuditLog {
  readonly #store: Store;
  readonly #clock: Clock;

  constructor(store: Store, clock: Clock) {
    this.#store = store;
    this.#clock = clock;
  }

  /** Appends one entry, in `trx` when given (so it commits with the change it records). */
  async append(input: AuditInput, trx?: Kysely<Database>): Promise<AuditRecord> {
    if (trx !== undefined) return this.#appendIn(trx, input);
    return this.#store.transaction((t) => this.#appendIn(t, input));
  }

  async #appendIn(db: Kysely<Database>, input: AuditInput): Promise<AuditRecord> {
    // PostgreSQL: one appender at a time, so each reads the true head. SQLite serialises writers.
    if (this.#store.dialect === 'postgres') await sql`SELECT pg_advisory_xact_lock(7300001)`.execute(db);
    const head = await db.selectFrom('security_audit').select('hash').orderBy('id', 'desc').limit(1).executeTakeFirst();
    const prevHash = head?.hash ?? GENESIS_HASH;
    const row = {
      at: this.#clock.now(),
      actor: input.actor,
      action: input.action,
      target: input.target,
      before: input.before === undefined ? null : canonicalJson(input.before),
      after: input.after === undefined ? null : canonicalJson(input.after),
    };
    const hash = entryHash(prevHash, row);
    const inserted = await db.insertInto('security_audit').values({ ...row, prev_hash: prevHash, hash }).returning('id').executeTakeFirstOrThrow();
    return { id: Number(inserted.id), ...row, before: input.before, after: input.after, prevHash, hash };
  }

  /** Entries, oldest first, from `afterId` on, at most `limit`. */
  async list(options: { afterId?: number; limit?: number } = {}): Promise<AuditRecord[]> {
    const rows = await this.#store.db
      .selectFrom('security_audit')
      .selectAll()
      .where('id', '>', options.afterId ?? 0)
      .orderBy('id')
      .limit(options.limit ?? 1000)
      .execute();
    return rows.map((r) => ({
      id: Number(r.id),
      at: Number(r.at),
      actor: r.actor,
      action: r.action,
      target: r.target,
      before: r.before === null ? undefined : (JSON.parse(r.before) as unknown),
      after: r.after === null ? undefined : (JSON.parse(r.after) as unknown),
      prevHash: r.prev_hash,
      hash: r.hash,
    }));
  }

  /**
   * The last entry's id and hash. A chain cannot tell that entries were cut from its end; keep
   * this anchor somewhere else (a ticket, another system) and pass it to {@link verify} later.
   */
  async head(): Promise<AuditAnchor> {
    const row = await this.#store.db.selectFrom('security_audit').select(['id', 'hash']).orderBy('id', 'desc').limit(1).executeTakeFirst();
    return row === undefined ? { id: 0, hash: GENESIS_HASH } : { id: Number(row.id), hash: row.hash };
  }

  /** Recomputes the whole chain and names the first broken link; with `anchor`, also that it is still there. */
  async verify(anchor?: AuditAnchor): Promise<AuditVerification> {
    const result = await this.#verifyChain();
    if (!result.ok || anchor === undefined || anchor.id === 0) return result;
    const row = await this.#store.db.selectFrom('security_audit').select('hash').where('id', '=', anchor.id).executeTakeFirst();
    if (row?.hash !== anchor.hash) return { ok: false, entries: result.entries, brokenAt: anchor.id, reason: 'the anchored entry is missing or changed (entries cut from the end?)' };
    return result;
  }

  async #verifyChain(): Promise<AuditVerification> {
    let prev = GENESIS_HASH;
    let entries = 0;
    let afterId = 0;
    for (;;) {
      const rows = await this.#store.db.selectFrom('security_audit').selectAll().where('id', '>', afterId).orderBy('id').limit(1000).execute();
      if (rows.length === 0) return { ok: true, entries };
      for (const r of rows) {
        const id = Number(r.id);
        if (r.prev_hash !== prev) return { ok: false, entries, brokenAt: id, reason: 'prev_hash does not match the hash of the entry before' };
        let expected: string;
        try {
          expected = entryHash(prev, { ...r, at: Number(r.at) });
        } catch {
          return { ok: false, entries, brokenAt: id, reason: 'before/after is not valid JSON' };
        }
        if (expected !== r.hash) return { ok: false, entries, brokenAt: id, reason: 'hash does not match the entry content' };
        prev = r.hash;
        entries += 1;
        afterId = id;
      }
    }
  }
}
