/**
 * The contract registry's tables: subjects (owner domain and compatibility mode), every published
 * version of every contract, change proposals, and the append-only governance audit log.
 */
import type { Generated, Kysely, Migration } from 'kysely';
import { withSerialId } from './columns.ts';

/** `contract_subjects`: one row per contract subject. */
export interface ContractSubjectTable {
  subject: string;
  /** Owning domain: customer, product, commercial, finance. */
  owner: string;
  /** object | event. */
  kind: string;
  /** backward | forward | full | none. */
  mode: string;
  created_at: number;
}

/** `contract_versions`: every published version; never updated or deleted. */
export interface ContractVersionTable {
  subject: string;
  version: string;
  /** The JSON Schema document, as JSON text. */
  schema: string;
  published_at: number;
  published_by: string;
  proposal_id: string | null;
}

/** `contract_proposals`: a proposed new version on its way to publication. */
export interface ContractProposalTable {
  id: string;
  subject: string;
  version: string;
  schema: string;
  /** proposed | in_review | approved | rejected | published. */
  status: string;
  /** The version compared against, when there was one. */
  base_version: string | null;
  /** JSON array of the changes found. */
  changes: string;
  /** 1 when a change breaks the subject's mode at proposal time. */
  breaking: number;
  note: string | null;
  proposed_by: string;
  proposed_at: number;
  updated_at: number;
}

/** `governance_audit`: append-only log of every governance step. */
export interface GovernanceAuditTable {
  id: Generated<number>;
  at: number;
  actor: string;
  action: string;
  subject: string;
  version: string | null;
  proposal_id: string | null;
  /** JSON of the state before the step, when there was one. */
  before: string | null;
  /** JSON of the state after the step. */
  after: string | null;
  comment: string | null;
}

/** The governance tables, for the store's {@link Database} type. */
export interface GovernanceTables {
  contract_subjects: ContractSubjectTable;
  contract_versions: ContractVersionTable;
  contract_proposals: ContractProposalTable;
  governance_audit: GovernanceAuditTable;
}

/** Creates the governance tables. */
export const governanceMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('contract_subjects')
      .addColumn('subject', 'text', (c) => c.primaryKey())
      .addColumn('owner', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('mode', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('contract_versions')
      .addColumn('subject', 'text', (c) => c.notNull())
      .addColumn('version', 'text', (c) => c.notNull())
      .addColumn('schema', 'text', (c) => c.notNull())
      .addColumn('published_at', 'bigint', (c) => c.notNull())
      .addColumn('published_by', 'text', (c) => c.notNull())
      .addColumn('proposal_id', 'text')
      .addPrimaryKeyConstraint('contract_versions_pk', ['subject', 'version'])
      .execute();
    await db.schema
      .createTable('contract_proposals')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('subject', 'text', (c) => c.notNull())
      .addColumn('version', 'text', (c) => c.notNull())
      .addColumn('schema', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('base_version', 'text')
      .addColumn('changes', 'text', (c) => c.notNull())
      .addColumn('breaking', 'integer', (c) => c.notNull())
      .addColumn('note', 'text')
      .addColumn('proposed_by', 'text', (c) => c.notNull())
      .addColumn('proposed_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('contract_proposals_subject').on('contract_proposals').columns(['subject', 'status']).execute();
    await withSerialId(db, db.schema.createTable('governance_audit'))
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addColumn('actor', 'text', (c) => c.notNull())
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('subject', 'text', (c) => c.notNull())
      .addColumn('version', 'text')
      .addColumn('proposal_id', 'text')
      .addColumn('before', 'text')
      .addColumn('after', 'text')
      .addColumn('comment', 'text')
      .execute();
    await db.schema.createIndex('governance_audit_subject').on('governance_audit').columns(['subject', 'id']).execute();
  },
};
