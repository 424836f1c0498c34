/**
 * Every migration of the store, in order of name. An area adds its migration file to this folder
 * (named `NNNN-area.ts`) and one line here. Migrations run at start-up, under the migrator's lock
 * so that several processes starting at once apply each one exactly once.
 */
import type { Migration } from 'kysely';
import { engineMigration } from './0001-engine.ts';
import { governanceMigration } from './0100-governance.ts';
import { xrefMigration } from './0101-xref.ts';
import { governanceAuditAppendOnlyMigration } from './0102-governance-audit-append-only.ts';
import { flowsMigration } from './0200-flows.ts';
import { securityMigration } from './0300-security.ts';
import { connectorsMigration } from './0400-connectors.ts';
import { apiMigration } from './0500-api.ts';
import { syncMigration } from './0600-sync.ts';
import { appliedVersionsMigration } from './0700-applied-versions.ts';
import { observabilityMigration } from './0800-observability.ts';
import { lineageLookupsMigration } from './0801-lineage-lookups.ts';
import { outboxRetentionIndexMigration } from './0802-outbox-retention-index.ts';
import { pgClaimFunctionsMigration } from './0803-pg-claim-functions.ts';
import { inboxPendingPartialMigration } from './0804-inbox-pending-partial.ts';

/** Migrations by name; names sort in the order they apply. */
export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001-engine': engineMigration,
  '0100-governance': governanceMigration,
  '0101-xref': xrefMigration,
  '0102-governance-audit-append-only': governanceAuditAppendOnlyMigration,
  '0200-flows': flowsMigration,
  '0300-security': securityMigration,
  '0400-connectors': connectorsMigration,
  '0500-api': apiMigration,
  '0600-sync': syncMigration,
  '0700-applied-versions': appliedVersionsMigration,
  '0800-observability': observabilityMigration,
  '0801-lineage-lookups': lineageLookupsMigration,
  '0802-outbox-retention-index': outboxRetentionIndexMigration,
  '0803-pg-claim-functions': pgClaimFunctionsMigration,
  '0804-inbox-pending-partial': inboxPendingPartialMigration,
};
