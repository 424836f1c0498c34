/**
 * Named secrets (vendor credentials, signing secrets), stored only as envelope-encrypted
 * ciphertext. Values leave this class only through {@link Secrets.reveal}; listings, errors and
 * audit entries carry names, versions and key fingerprints, never a value.
 */
import type { Clock } from '../core/clock.ts';
import { notFoundError, validationError } from '../core/errors.ts';
import type { Store } from '../store/store.ts';
import type { AuditLog } from './audit-log.ts';
import { dataKeyAad, newDataKey, open, seal, valueAad } from './envelope.ts';
import type { MasterKey } from './master-key.ts';

/** What a listing shows of a secret. */
export interface SecretMetadata {
  name: string;
  version: number;
  masterKeyId: string;
  createdAt: number;
  updatedAt: number;
}

const NAME = /^[a-z0-9][a-z0-9._-]{0,127}$/;

/** The secret store of a deployment, opened with the current master key. */
export class Secrets {
  readonly #store: Store;
  readonly #audit: AuditLog;
  readonly #clock: Clock;
  readonly #master: MasterKey;

  constructor(store: Store, audit: AuditLog, clock: Clock, master: MasterKey) {
    this.#store = store;
    this.#audit = audit;
    this.#clock = clock;
    this.#master = master;
  }

  /** Stores `value` under `name` (a new version when it exists), sealed under a fresh data key. */
  async set(name: string, value: string, actor: string): Promise<SecretMetadata> {
    if (!NAME.test(name)) throw validationError(`secret names are 1–128 of a-z 0-9 . _ - starting with a letter or digit; got "${name.slice(0, 130)}"`);
    if (value.length === 0) throw validationError(`the value of secret "${name}" is empty`);
    const dataKey = newDataKey();
    const ciphertext = seal(Buffer.from(value, 'utf8'), dataKey, valueAad(name)).toString('base64');
    const wrapped = seal(dataKey, this.#master.bytes, dataKeyAad(name)).toString('base64');
    dataKey.fill(0);
    const now = this.#clock.now();
    return this.#store.transaction(async (trx) => {
      const existing = await trx.selectFrom('secrets').select(['version', 'created_at']).where('name', '=', name).executeTakeFirst();
      const meta: SecretMetadata = {
        name,
        version: (existing?.version ?? 0) + 1,
        masterKeyId: this.#master.id,
        createdAt: existing === undefined ? now : Number(existing.created_at),
        updatedAt: now,
      };
      const row = { ciphertext, wrapped_key: wrapped, master_key_id: meta.masterKeyId, version: meta.version, updated_at: now };
      if (existing === undefined) await trx.insertInto('secrets').values({ name, created_at: now, ...row }).execute();
      else await trx.updateTable('secrets').set(row).where('name', '=', name).execute();
      await this.#audit.append(
        {
          actor,
          action: existing === undefined ? 'secret.set' : 'secret.rotated',
          target: `secret:${name}`,
          ...(existing === undefined ? {} : { before: { version: existing.version } }),
          after: { version: meta.version, masterKeyId: meta.masterKeyId },
        },
        trx,
      );
      return meta;
    });
  }

  /** The clear value of `name`. Keep it out of logs, answers and errors. */
  async reveal(name: string): Promise<string> {
    const row = await this.#store.db.selectFrom('secrets').selectAll().where('name', '=', name).executeTakeFirst();
    if (row === undefined) throw notFoundError(`no secret named "${name}"`, { type: 'unknown-secret' });
    if (row.master_key_id !== this.#master.id) {
      throw validationError(`secret "${name}" is wrapped by master key ${row.master_key_id}, not the configured ${this.#master.id}`, { type: 'wrong-master-key' });
    }
    const dataKey = open(Buffer.from(row.wrapped_key, 'base64'), this.#master.bytes, dataKeyAad(name));
    try {
      return open(Buffer.from(row.ciphertext, 'base64'), dataKey, valueAad(name)).toString('utf8');
    } finally {
      dataKey.fill(0);
    }
  }

  /** Names and metadata of every secret, by name. */
  async list(): Promise<SecretMetadata[]> {
    const rows = await this.#store.db
      .selectFrom('secrets')
      .select(['name', 'version', 'master_key_id', 'created_at', 'updated_at'])
      .orderBy('name')
      .execute();
    return rows.map((r) => ({ name: r.name, version: r.version, masterKeyId: r.master_key_id, createdAt: Number(r.created_at), updatedAt: Number(r.updated_at) }));
  }

  /**
   * Re-wraps every data key under `next`, in one transaction; values are not re-encrypted. Keys
   * already under `next` are left alone, so an interrupted rotation can simply be run again.
   * Afterwards the deployment must be started with `next`.
   */
  async rotateMaster(next: MasterKey, actor: string): Promise<{ rewrapped: number }> {
    return this.#store.transaction(async (trx) => {
      const rows = await trx.selectFrom('secrets').select(['name', 'wrapped_key', 'master_key_id']).execute();
      let rewrapped = 0;
      for (const r of rows) {
        if (r.master_key_id === next.id) continue;
        if (r.master_key_id !== this.#master.id) {
          throw validationError(`secret "${r.name}" is wrapped by master key ${r.master_key_id}, which is neither the current nor the new key`);
        }
        const dataKey = open(Buffer.from(r.wrapped_key, 'base64'), this.#master.bytes, dataKeyAad(r.name));
        const wrapped = seal(dataKey, next.bytes, dataKeyAad(r.name)).toString('base64');
        dataKey.fill(0);
        await trx.updateTable('secrets').set({ wrapped_key: wrapped, master_key_id: next.id }).where('name', '=', r.name).execute();
        rewrapped += 1;
      }
      await this.#audit.append(
        { actor, action: 'secret.master-rotated', target: 'secrets', before: { masterKeyId: this.#master.id }, after: { masterKeyId: next.id, rewrapped } },
        trx,
      );
      return { rewrapped };
    });
  }
}
