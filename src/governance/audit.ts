/**
 * The governance audit log: append-only. Every step (register, propose, review, approve, reject,
 * publish, mode change) is written in the same transaction as the change it records, with who,
 * when, what, and the state before and after. There is no update or delete here, by design.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';

/** One audit entry as written. */
export interface AuditEntry {
  /** Epoch milliseconds. */
  at: number;
  /** Actor id. */
  actor: string;
  /** `subject.registered`, `proposal.created`, `proposal.reviewed`, `proposal.approved`, … */
  action: string;
  /** Contract subject. */
  subject: string;
  /** Contract version concerned, when there is one. */
  version?: string | null;
  /** Proposal concerned, when there is one. */
  proposalId?: string | null;
  /** State before the step. */
  before?: unknown;
  /** State after the step. */
  after?: unknown;
  /** Free text from the actor. */
  comment?: string | null;
}

/** An audit entry as read back, with its sequence number. */
export interface AuditRecord extends AuditEntry {
  /** Position in the log. */
  id: number;
}

/** Appends one entry (inside the caller's transaction). */
export async function appendAudit(db: Kysely<Database>, e: AuditEntry): Promise<void> {
  await db
    .insertInto('governance_audit')
    .values({
      at: e.at,
      actor: e.actor,
      action: e.action,
      subject: e.subject,
      version: e.version ?? null,
      proposal_id: e.proposalId ?? null,
      before: e.before === undefined ? null : JSON.stringify(e.before),
      after: e.after === undefined ? null : JSON.stringify(e.after),
      comment: e.comment ?? null,
    })
    .execute();
}

/** The log, oldest first, optionally for one subject. */
export async function readAudit(db: Kysely<Database>, subject?: string): Promise<AuditRecord[]> {
  let q = db.selectFrom('governance_audit').selectAll().orderBy('id');
  if (subject !== undefined) q = q.where('subject', '=', subject);
  const rows = await q.execute();
  return rows.map((r) => ({
    id: Number(r.id),
    at: Number(r.at),
    actor: r.actor,
    action: r.action,
    subject: r.subject,
    version: r.version,
    proposalId: r.proposal_id,
    before: r.before === null ? undefined : (JSON.parse(r.before) as unknown),
    after: r.after === null ? undefined : (JSON.parse(r.after) as unknown),
    comment: r.comment,
  }));
}
