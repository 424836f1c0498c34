/**
 * The contract registry: every version of every canonical contract, a compatibility mode per
 * subject, and the way a new version gets in: propose → review → approve (only by the subject's
 * domain owner, never by the proposer) → publish. A change that breaks the subject's mode is never
 * published; nothing is published unapproved. Each step is audited in the same transaction.
 */
import { randomUUID } from 'node:crypto';
import semver from 'semver';
import type { Kysely } from 'kysely';
import type { CanonicalContract, Domain } from '../canonical/contract.ts';
import { DOMAINS } from '../canonical/contract.ts';
import { CANONICAL_CONTRACTS, createAjv } from '../canonical/catalogue.ts';
import type { Clock } from '../core/clock.ts';
import { systemClock } from '../core/clock.ts';
import { authError, conflictError, notFoundError, validationError } from '../core/errors.ts';
import type { Database } from '../store/schema.ts';
import type { Store } from '../store/store.ts';
import type { Actor } from './actor.ts';
import { ownerRole } from './actor.ts';
import { appendAudit, readAudit } from './audit.ts';
import type { AuditRecord } from './audit.ts';
import { COMPATIBILITY_MODES, judge, requiredBump } from './compatibility.ts';
import type { CompatibilityMode, CompatibilityReport } from './compatibility.ts';
import type { ContractVersion, Proposal, ProposalStatus, Subject } from './proposal.ts';
import { diffSchemas } from './schema-diff.ts';

/** Options of {@link ContractRegistry}. */
export interface RegistryOptions {
  /** Time source for audit entries. @default the system clock */
  clock?: Clock;
}

/** The result of checking a candidate schema against a subject's latest version. */
export interface CheckResult extends CompatibilityReport {
  /** The subject. */
  subject: string;
  /** The version compared with, if any. */
  baseVersion: string | null;
}

/** The contract registry over the store. */
export class ContractRegistry {
  readonly #store: Store;
  readonly #clock: Clock;

  /** A registry over `store`. */
  constructor(store: Store, options: RegistryOptions = {}) {
    this.#store = store;
    this.#clock = options.clock ?? systemClock;
  }

  /**
   * Registers every shipped contract whose subject is not yet known and publishes its shipped
   * version as the first one. Returns the subjects registered.
   */
  async bootstrap(actor: Actor, contracts: readonly CanonicalContract[] = CANONICAL_CONTRACTS, mode: CompatibilityMode = 'backward'): Promise<string[]> {
    const added: string[] = [];
    for (const c of contracts) {
      if ((await this.#subjectRow(this.#store.db, c.subject)) !== undefined) continue;
      await this.#store.transaction(async (trx) => {
        const now = this.#clock.now();
        await trx.insertInto('contract_subjects').values({ subject: c.subject, owner: c.owner, kind: c.kind, mode, created_at: now }).execute();
        await trx
          .insertInto('contract_versions')
          .values({ subject: c.subject, version: c.version, schema: JSON.stringify(c.schema), published_at: now, published_by: actor.id, proposal_id: null })
          .execute();
        await appendAudit(trx, { at: now, actor: actor.id, action: 'subject.bootstrapped', subject: c.subject, version: c.version, after: { owner: c.owner, mode } });
      });
      added.push(c.subject);
    }
    return added;
  }

  /** Registers a new subject with no versions yet. */
  async registerSubject(actor: Actor, s: { subject: string; owner: Domain; kind: 'object' | 'event'; mode: CompatibilityMode }): Promise<Subject> {
    if (!DOMAINS.includes(s.owner)) throw validationError(`unknown owner domain "${s.owner}"; one of ${DOMAINS.join(', ')}`);
    if (!COMPATIBILITY_MODES.includes(s.mode)) throw validationError(`unknown compatibility mode "${s.mode}"`);
    if (!/^[a-z][a-z0-9._-]*$/.test(s.subject)) throw validationError(`invalid subject name "${s.subject}"`);
    requireRole(actor, s.owner);
    return this.#store.transaction(async (trx) => {
      if ((await this.#subjectRow(trx, s.subject)) !== undefined) throw conflictError(`subject "${s.subject}" already exists`);
      const now = this.#clock.now();
      await trx.insertInto('contract_subjects').values({ subject: s.subject, owner: s.owner, kind: s.kind, mode: s.mode, created_at: now }).execute();
      await appendAudit(trx, { at: now, actor: actor.id, action: 'subject.registered', subject: s.subject, after: s });
      return { ...s, createdAt: now };
    });
  }

  /** Changes a subject's compatibility mode; only its owner may. */
  async setMode(actor: Actor, subject: string, mode: CompatibilityMode, comment?: string): Promise<void> {
    if (!COMPATIBILITY_MODES.includes(mode)) throw validationError(`unknown compatibility mode "${mode}"`);
    const s = await this.subject(subject);
    requireRole(actor, s.owner);
    await this.#store.transaction(async (trx) => {
      await trx.updateTable('contract_subjects').set({ mode }).where('subject', '=', subject).execute();
      await appendAudit(trx, { at: this.#clock.now(), actor: actor.id, action: 'subject.mode-changed', subject, before: { mode: s.mode }, after: { mode }, comment: comment ?? null });
    });
  }

  /** A subject, or a not-found error. */
  async subject(subject: string): Promise<Subject> {
    const row = await this.#subjectRow(this.#store.db, subject);
    if (row === undefined) throw notFoundError(`no contract subject "${subject}"`);
    return row;
  }

  /** Every subject, by name. */
  async subjects(): Promise<Subject[]> {
    const rows = await this.#store.db.selectFrom('contract_subjects').selectAll().orderBy('subject').execute();
    return rows.map(toSubject);
  }

  /** Every published version of a subject, oldest first. */
  async versions(subject: string): Promise<ContractVersion[]> {
    const rows = await this.#store.db.selectFrom('contract_versions').selectAll().where('subject', '=', subject).execute();
    return rows.map(toVersion).sort((a, b) => semver.compare(a.version, b.version));
  }

  /** The newest published version, if any. */
  async latest(subject: string): Promise<ContractVersion | undefined> {
    return (await this.versions(subject)).at(-1);
  }

  /** One published version, or a not-found error. */
  async version(subject: string, version: string): Promise<ContractVersion> {
    const v = (await this.versions(subject)).find((x) => x.version === version);
    if (v === undefined) throw notFoundError(`no version ${version} of "${subject}"`);
    return v;
  }

  /** Compares `schema` with the subject's latest version under its mode (or `mode`). */
  async check(subject: string, schema: unknown, mode?: CompatibilityMode): Promise<CheckResult> {
    const s = await this.subject(subject);
    const base = await this.latest(subject);
    const changes = base === undefined ? [] : diffSchemas(base.schema, schema);
    return { subject, baseVersion: base?.version ?? null, ...judge(changes, mode ?? s.mode) };
  }

  /** Proposes a new version. Breaking changes may be proposed (to be discussed) but not published. */
  async propose(actor: Actor, p: { subject: string; version: string; schema: unknown; note?: string }): Promise<Proposal> {
    const schema = checkSchemaDocument(p.schema);
    if (semver.valid(p.version) === null) throw validationError(`"${p.version}" is not a semantic version`);
    const check = await this.check(p.subject, schema);
    if (check.baseVersion !== null) {
      if (!semver.gt(p.version, check.baseVersion)) throw validationError(`version ${p.version} must be greater than the latest, ${check.baseVersion}`);
      if (check.changes.length === 0) throw validationError(`no changes against ${p.subject}@${check.baseVersion}`);
      const bump = requiredBump(check.changes);
      if (bump === 'major' && semver.major(p.version) === semver.major(check.baseVersion)) {
        throw validationError(`the changes narrow the contract and need a major version (> ${semver.major(check.baseVersion)}.x), not ${p.version}`);
      }
    }
    const now = this.#clock.now();
    const proposal: Proposal = {
      id: `prop_${randomUUID()}`,
      subject: p.subject,
      version: p.version,
      schema,
      status: 'proposed',
      baseVersion: check.baseVersion,
      changes: check.changes,
      breaking: !check.compatible,
      note: p.note ?? null,
      proposedBy: actor.id,
      proposedAt: now,
      updatedAt: now,
    };
    await this.#store.transaction(async (trx) => {
      const open = await trx
        .selectFrom('contract_proposals')
        .select('id')
        .where('subject', '=', p.subject)
        .where('version', '=', p.version)
        .where('status', 'in', ['proposed', 'in_review', 'approved'])
        .executeTakeFirst();
      if (open !== undefined) throw conflictError(`${p.subject}@${p.version} is already proposed (${open.id})`);
      await trx
        .insertInto('contract_proposals')
        .values({
          id: proposal.id,
          subject: proposal.subject,
          version: proposal.version,
          schema: JSON.stringify(schema),
          status: proposal.status,
          base_version: proposal.baseVersion,
          changes: JSON.stringify(proposal.changes),
          breaking: proposal.breaking ? 1 : 0,
          note: proposal.note,
          proposed_by: actor.id,
          proposed_at: now,
          updated_at: now,
        })
        .execute();
      await appendAudit(trx, {
        at: now,
        actor: actor.id,
        action: 'proposal.created',
        subject: p.subject,
        version: p.version,
        proposalId: proposal.id,
        before: check.baseVersion === null ? undefined : { version: check.baseVersion },
        after: { status: 'proposed', breaking: proposal.breaking, changes: proposal.changes.length },
        comment: proposal.note,
      });
    });
    return proposal;
  }

  /** Records a review. Anyone but the proposer may review. */
  async review(actor: Actor, id: string, comment: string): Promise<Proposal> {
    return this.#step(actor, id, 'proposal.reviewed', ['proposed', 'in_review'], 'in_review', comment, (p) => {
      if (p.proposedBy === actor.id) throw forbidden(`${actor.id} proposed ${id} and cannot review it`);
    });
  }

  /** Approves a reviewed proposal: the subject's owner only, and not the proposer. */
  async approve(actor: Actor, id: string, comment?: string): Promise<Proposal> {
    return this.#step(actor, id, 'proposal.approved', ['in_review'], 'approved', comment ?? null, (p, s) => {
      requireRole(actor, s.owner);
      if (p.proposedBy === actor.id) throw forbidden(`${actor.id} proposed ${id} and cannot approve it`);
    });
  }

  /** Rejects a proposal that is not yet published: the subject's owner only. */
  async reject(actor: Actor, id: string, comment: string): Promise<Proposal> {
    return this.#step(actor, id, 'proposal.rejected', ['proposed', 'in_review', 'approved'], 'rejected', comment, (_p, s) => requireRole(actor, s.owner));
  }

  /**
   * Publishes an approved proposal as a new version: the subject's owner only. Compatibility is
   * checked again against the latest version and the subject's mode as they are now.
   */
  async publish(actor: Actor, id: string): Promise<ContractVersion> {
    let published: ContractVersion | undefined;
    await this.#step(actor, id, 'proposal.published', ['approved'], 'published', null, async (p, s, trx) => {
      requireRole(actor, s.owner);
      const versions = (await trx.selectFrom('contract_versions').selectAll().where('subject', '=', p.subject).execute()).map(toVersion);
      const latest = versions.sort((a, b) => semver.compare(a.version, b.version)).at(-1);
      if (latest !== undefined && !semver.gt(p.version, latest.version)) {
        throw conflictError(`${p.subject}@${latest.version} was published meanwhile; ${p.version} is no longer newer`);
      }
      const report = judge(latest === undefined ? [] : diffSchemas(latest.schema, p.schema), s.mode);
      if (!report.compatible) {
        const first = report.breaking[0];
        throw conflictError(
          `${p.subject}@${p.version} breaks mode ${s.mode} (${report.breaking.length} breaking change${report.breaking.length === 1 ? '' : 's'}, first: ${first?.pointer} ${first?.kind}); it cannot be published under this mode`,
        );
      }
      const now = this.#clock.now();
      await trx
        .insertInto('contract_versions')
        .values({ subject: p.subject, version: p.version, schema: JSON.stringify(p.schema), published_at: now, published_by: actor.id, proposal_id: p.id })
        .execute();
      published = { subject: p.subject, version: p.version, schema: p.schema, publishedAt: now, publishedBy: actor.id, proposalId: p.id };
    });
    if (published === undefined) throw conflictError(`proposal ${id} was not published`);
    return published;
  }

  /** One proposal, or a not-found error. */
  async proposal(id: string): Promise<Proposal> {
    const row = await this.#store.db.selectFrom('contract_proposals').selectAll().where('id', '=', id).executeTakeFirst();
    if (row === undefined) throw notFoundError(`no proposal "${id}"`);
    return toProposal(row);
  }

  /** Proposals, newest first, optionally for one subject. */
  async proposals(subject?: string): Promise<Proposal[]> {
    let q = this.#store.db.selectFrom('contract_proposals').selectAll().orderBy('proposed_at', 'desc');
    if (subject !== undefined) q = q.where('subject', '=', subject);
    return (await q.execute()).map(toProposal);
  }

  /** The audit log, oldest first, optionally for one subject. */
  async audit(subject?: string): Promise<AuditRecord[]> {
    return readAudit(this.#store.db, subject);
  }

  async #step(
    actor: Actor,
    id: string,
    action: string,
    from: readonly ProposalStatus[],
    to: ProposalStatus,
    comment: string | null,
    guard: (p: Proposal, s: Subject, trx: Kysely<Database>) => void | Promise<void>,
  ): Promise<Proposal> {
    return this.#store.transaction(async (trx) => {
      const row = await trx.selectFrom('contract_proposals').selectAll().where('id', '=', id).executeTakeFirst();
      if (row === undefined) throw notFoundError(`no proposal "${id}"`);
      const p = toProposal(row);
      const s = await this.#subjectRow(trx, p.subject);
      if (s === undefined) throw notFoundError(`no contract subject "${p.subject}"`);
      if (!from.includes(p.status)) {
        throw conflictError(`proposal ${id} is ${p.status}; ${action.split('.')[1]} needs it ${from.join(' or ')}`);
      }
      await guard(p, s, trx);
      const now = this.#clock.now();
      const updated = await trx
        .updateTable('contract_proposals')
        .set({ status: to, updated_at: now })
        .where('id', '=', id)
        .where('status', '=', p.status)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) !== 1) throw conflictError(`proposal ${id} changed meanwhile`);
      await appendAudit(trx, {
        at: now,
        actor: actor.id,
        action,
        subject: p.subject,
        version: p.version,
        proposalId: id,
        before: { status: p.status },
        after: { status: to },
        comment,
      });
      return { ...p, status: to, updatedAt: now };
    });
  }

  async #subjectRow(db: Kysely<Database>, subject: string): Promise<Subject | undefined> {
    const row = await db.selectFrom('contract_subjects').selectAll().where('subject', '=', subject).executeTakeFirst();
    return row === undefined ? undefined : toSubject(row);
  }
}

function forbidden(message: string) {
  return authError(message, { status: 403, type: 'forbidden' });
}

function requireRole(actor: Actor, owner: string): void {
  const role = ownerRole(owner);
  if (!actor.roles.includes(role)) throw forbidden(`${actor.id} lacks the role ${role}`);
}

const schemaChecker = createAjv();

/** A proposed schema must be an object that compiles as JSON Schema 2020-12. */
function checkSchemaDocument(schema: unknown): Record<string, unknown> {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) throw validationError('a contract schema must be a JSON object');
  const copy = JSON.parse(JSON.stringify(schema)) as Record<string, unknown>;
  try {
    // Compiled without its $id so the same id can be checked more than once.
    const { $id: _id, ...rest } = copy;
    schemaChecker.compile(rest);
  } catch (err) {
    throw validationError(`not a valid JSON Schema 2020-12 document: ${(err as Error).message}`, { cause: err });
  }
  return copy;
}

function toSubject(r: Database['contract_subjects']): Subject {
  return { subject: r.subject, owner: r.owner as Domain, kind: r.kind as 'object' | 'event', mode: r.mode as CompatibilityMode, createdAt: Number(r.created_at) };
}

function toVersion(r: Database['contract_versions']): ContractVersion {
  return {
    subject: r.subject,
    version: r.version,
    schema: JSON.parse(r.schema) as Record<string, unknown>,
    publishedAt: Number(r.published_at),
    publishedBy: r.published_by,
    proposalId: r.proposal_id,
  };
}

function toProposal(r: Database['contract_proposals']): Proposal {
  return {
    id: r.id,
    subject: r.subject,
    version: r.version,
    schema: JSON.parse(r.schema) as Record<string, unknown>,
    status: r.status as ProposalStatus,
    baseVersion: r.base_version,
    changes: JSON.parse(r.changes) as Proposal['changes'],
    breaking: Number(r.breaking) === 1,
    note: r.note,
    proposedBy: r.proposed_by,
    proposedAt: Number(r.proposed_at),
    updatedAt: Number(r.updated_at),
  };
}
