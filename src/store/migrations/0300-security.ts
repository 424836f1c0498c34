/**
 * The security tables: API keys (hashed, never the key itself), the hash-chained security audit
 * log (append-only, enforced by triggers), and encrypted secrets with their wrapped data keys.
 */
import type { Generated, Kysely, Migration } from 'kysely';
import { makeAppendOnly, withSerialId } from './columns.ts';

/** `api_keys`: one row per issued key; the key is stored as its SHA-256 only. */
export interface ApiKeyTable {
  /** Public id, also the key's visible prefix part. */
  id: string;
  /** Hex SHA-256 of the whole key. */
  hash: string;
  /** viewer | operator | approver | admin. */
  role: string;
  label: string;
  created_at: number;
  created_by: string;
  /** Epoch ms after which the key is refused; null = never. */
  expires_at: number | null;
  revoked_at: number | null;
  last_used_at: number | null;
}

/** `security_audit`: append-only, each row's hash covers the previous row's hash. */
export interface SecurityAuditTable {
  id: Generated<number>;
  at: number;
  actor: string;
  action: string;
  target: string;
  /** Canonical JSON of the state before, or null. */
  before: string | null;
  /** Canonical JSON of the state after, or null. */
  after: string | null;
  prev_hash: string;
  hash: string;
}

/** `secrets`: one row per named secret; the value only as AES-256-GCM ciphertext. */
export interface SecretTable {
  name: string;
  /** Base64 of iv ‖ ciphertext ‖ tag of the value under the data key. */
  ciphertext: string;
  /** Base64 of iv ‖ wrapped data key ‖ tag under the master key. */
  wrapped_key: string;
  /** Fingerprint of the master key that wrapped the data key. */
  master_key_id: string;
  version: number;
  created_at: number;
  updated_at: number;
}

/** The security tables, for the store's Database type. */
export interface SecurityTables {
  api_keys: ApiKeyTable;
  security_audit: SecurityAuditTable;
  secrets: SecretTable;
}

/** Creates the security tables and the triggers that keep the audit log append-only. */
export const securityMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('api_keys')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('hash', 'text', (c) => c.notNull().unique())
      .addColumn('role', 'text', (c) => c.notNull())
      .addColumn('label', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'bigint')
      .addColumn('revoked_at', 'bigint')
      .addColumn('last_used_at', 'bigint')
      .execute();
    await withSerialId(db, db.schema.createTable('security_audit'))
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addColumn('actor', 'text', (c) => c.notNull())
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('target', 'text', (c) => c.notNull())
      .addColumn('before', 'text')
      .addColumn('after', 'text')
      // Unique: two writers that read the same head cannot both link to it, so the chain never forks.
      .addColumn('prev_hash', 'text', (c) => c.notNull().unique())
      .addColumn('hash', 'text', (c) => c.notNull().unique())
      .execute();
    await db.schema
      .createTable('secrets')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('ciphertext', 'text', (c) => c.notNull())
      .addColumn('wrapped_key', 'text', (c) => c.notNull())
      .addColumn('master_key_id', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await makeAppendOnly(db, 'security_audit');
  },
};
