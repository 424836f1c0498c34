/**
 * Makes the governance audit log append-only in the database itself, not only in code: an UPDATE
 * or DELETE on `governance_audit` fails, whoever issues it.
 */
import type { Kysely, Migration } from 'kysely';
import { makeAppendOnly } from './columns.ts';

/** Adds the triggers that refuse changes to audit rows. */
export const governanceAuditAppendOnlyMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await makeAppendOnly(db, 'governance_audit');
  },
};
