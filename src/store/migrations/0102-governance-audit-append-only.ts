/**
 * Makes the governance audit log append-only in the database itself, not only in code: an UPDATE
 * or DELETE on `governance_audit` fails, whoever issues it.
 */
import { sql } from 'kysely';
import type { Kysely, Migration } from 'kysely';
import { dialectOf } from './columns.ts';

/** Adds the triggers that refuse changes to audit rows. */
export const governanceAuditAppendOnlyMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    if (dialectOf(db) === 'postgres') {
      await sql`CREATE FUNCTION governance_audit_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'governance_audit is append-only'; END; $$`.execute(db);
      await sql`CREATE TRIGGER governance_audit_append_only BEFORE UPDATE OR DELETE ON governance_audit
        FOR EACH ROW EXECUTE FUNCTION governance_audit_refuse()`.execute(db);
      return;
    }
    for (const op of ['UPDATE', 'DELETE']) {
      await sql
        .raw(`CREATE TRIGGER governance_audit_no_${op.toLowerCase()} BEFORE ${op} ON governance_audit
          BEGIN SELECT RAISE(ABORT, 'governance_audit is append-only'); END`)
        .execute(db);
    }
  },
};
