/**
 * API keys: generated once and shown once, stored as a SHA-256 hash (the keys carry 256 random
 * bits, so a slow password hash would add nothing), compared in constant time, revocable, with a
 * role, an optional expiry and the time of last use. Creating and revoking are audited in the
 * same transaction as the change.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../core/clock.ts';
import { notFoundError, validationError } from '../core/errors.ts';
import type { Store } from '../store/store.ts';
import type { AuditLog } from './audit-log.ts';
import { isRole, type Role } from './roles.ts';

/** The visible start of every key, so a leaked one is recognisable (and scannable) as ours. */
export const KEY_PREFIX = 'ilk_live_';

// Recording every use would be a write per request; a minute's precision is enough to spot idle keys.
const LAST_USED_PRECISION_MS = 60_000;

/** A key as listed: everything but the key itself. */
export interface ApiKeyRecord {
  id: string;
  role: Role;
  label: string;
  createdAt: number;
  createdBy: string;
  expiresAt: number | null;
  revokedAt: number | null;
  lastUsedAt: number | null;
}

/** What {@link ApiKeys.create} needs. */
export interface NewKey {
  role: Role;
  label: string;
  /** Epoch ms after which the key is refused. */
  expiresAt?: number | undefined;
  /** Who creates it, for the audit log. */
  actor: string;
}

/** The key store of a deployment. */
export class ApiKeys {
  readonly #store: Store;
  readonly #audit: AuditLog;
  readonly #clock: Clock;

  constructor(store: Store, audit: AuditLog, clock: Clock) {
    this.#store = store;
    this.#audit = audit;
    this.#clock = clock;
  }

  /** Issues a key. The returned `key` is the only time it exists in clear. */
  async create(input: NewKey): Promise<{ key: string; record: ApiKeyRecord }> {
    if (!isRole(input.role)) throw validationError(`role must be one of viewer, operator, approver, admin; got "${String(input.role)}"`);
    const now = this.#clock.now();
    if (input.expiresAt !== undefined && input.expiresAt <= now) throw validationError('the expiry must be in the future');
    const id = randomBytes(6).toString('hex');
    const key = `${KEY_PREFIX}${id}_${randomBytes(32).toString('base64url')}`;
    const record: ApiKeyRecord = {
      id,
      role: input.role,
      label: input.label.slice(0, 200),
      createdAt: now,
      createdBy: input.actor,
      expiresAt: input.expiresAt ?? null,
      revokedAt: null,
      lastUsedAt: null,
    };
    await this.#store.transaction(async (trx) => {
      await trx
        .insertInto('api_keys')
        .values({
          id,
          hash: hashKey(key),
          role: record.role,
          label: record.label,
          created_at: now,
          created_by: input.actor,
          expires_at: record.expiresAt,
          revoked_at: null,
          last_used_at: null,
        })
        .execute();
      await this.#audit.append({ actor: input.actor, action: 'key.created', target: `key:${id}`, after: { role: record.role, label: record.label, expiresAt: record.expiresAt } }, trx);
    });
    return { key, record };
  }

  /** Revokes key `id`; refused keys stay listed. Revoking twice is a no-op that is not audited. */
  async revoke(id: string, actor: string): Promise<ApiKeyRecord> {
    return this.#store.transaction(async (trx) => {
      const row = await trx.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
      if (row === undefined) throw notFoundError(`no API key with id "${id}"`);
      if (row.revoked_at !== null) return toRecord(row);
      const now = this.#clock.now();
      await trx.updateTable('api_keys').set({ revoked_at: now }).where('id', '=', id).execute();
      await this.#audit.append({ actor, action: 'key.revoked', target: `key:${id}`, before: { revokedAt: null }, after: { revokedAt: now } }, trx);
      return toRecord({ ...row, revoked_at: now });
    });
  }

  /** Every key ever issued, newest first. */
  async list(): Promise<ApiKeyRecord[]> {
    const rows = await this.#store.db.selectFrom('api_keys').selectAll().orderBy('created_at', 'desc').execute();
    return rows.map(toRecord);
  }

  /** Whether any key was ever issued (a fresh install has none). */
  async anyIssued(): Promise<boolean> {
    return (await this.#store.db.selectFrom('api_keys').select('id').limit(1).executeTakeFirst()) !== undefined;
  }

  /**
   * The record of `presented` if it is known valid without asking the store (a subclass that
   * remembers verified keys answers here), else undefined: then {@link authenticate} decides.
   */
  cached(_presented: string): ApiKeyRecord | undefined {
    return undefined;
  }

  /** The record of a valid (known, unrevoked, unexpired) key, else undefined. */
  async authenticate(presented: string): Promise<ApiKeyRecord | undefined> {
    const id = parseKeyId(presented);
    if (id === undefined) return undefined;
    const row = await this.#store.db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
    if (row === undefined) return undefined;
    if (!timingSafeEqual(Buffer.from(hashKey(presented), 'hex'), Buffer.from(row.hash, 'hex'))) return undefined;
    const now = this.#clock.now();
    if (row.revoked_at !== null || (row.expires_at !== null && Number(row.expires_at) <= now)) return undefined;
    if (row.last_used_at === null || now - Number(row.last_used_at) >= LAST_USED_PRECISION_MS) {
      await this.#store.db.updateTable('api_keys').set({ last_used_at: now }).where('id', '=', id).execute();
      row.last_used_at = now;
    }
    return toRecord(row);
  }
}

/** Hex SHA-256 of a key. */
export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** The id part of a well-formed key, else undefined. */
export function parseKeyId(key: string): string | undefined {
  const m = /^ilk_live_([0-9a-f]{12})_[A-Za-z0-9_-]{43}$/.exec(key);
  return m?.[1];
}

function toRecord(r: {
  id: string;
  role: string;
  label: string;
  created_at: number;
  created_by: string;
  expires_at: number | null;
  revoked_at: number | null;
  last_used_at: number | null;
}): ApiKeyRecord {
  const num = (v: number | null) => (v === null ? null : Number(v));
  return {
    id: r.id,
    role: isRole(r.role) ? r.role : 'viewer',
    label: r.label,
    createdAt: Number(r.created_at),
    createdBy: r.created_by,
    expiresAt: num(r.expires_at),
    revokedAt: num(r.revoked_at),
    lastUsedAt: num(r.last_used_at),
  };
}
