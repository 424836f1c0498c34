/**
 * The master key that wraps every secret's data key: 32 random bytes, base64, from
 * `INTERLOCK_MASTER_KEY` or from the file named by `INTERLOCK_MASTER_KEY_FILE` (a mounted
 * secret). It is never stored in the database; its fingerprint is, beside each wrapped key, so a
 * wrong key is reported as such rather than as corrupt data.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { validationError } from '../core/errors.ts';

/** A loaded master key. */
export interface MasterKey {
  /** Fingerprint: the first 16 hex digits of SHA-256 of the key. Safe to show and store. */
  readonly id: string;
  /** The 32 key bytes. */
  readonly bytes: Buffer;
}

/** Builds a {@link MasterKey} from base64 text; `where` names its origin in errors. */
export function parseMasterKey(base64: string, where: string): MasterKey {
  const text = base64.trim();
  const bytes = /^[A-Za-z0-9+/]+={0,2}$/.test(text) ? Buffer.from(text, 'base64') : Buffer.alloc(0);
  // The message names where the key came from and what is wrong, never any of its characters.
  if (bytes.length !== 32) throw validationError(`${where} must be 32 bytes in base64 (44 characters), e.g. from \`openssl rand -base64 32\``);
  return { id: createHash('sha256').update(bytes).digest('hex').slice(0, 16), bytes };
}

/** Loads the master key from `INTERLOCK_MASTER_KEY` or `INTERLOCK_MASTER_KEY_FILE`. */
export function loadMasterKey(env: Readonly<Record<string, string | undefined>> = process.env, prefix = 'INTERLOCK_MASTER_KEY'): MasterKey {
  const inline = env[prefix];
  if (inline !== undefined && inline !== '') return parseMasterKey(inline, prefix);
  const file = env[`${prefix}_FILE`];
  if (file !== undefined && file !== '') {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw validationError(`cannot read the master key file named by ${prefix}_FILE: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
    }
    return parseMasterKey(text, `the file named by ${prefix}_FILE`);
  }
  throw validationError(`no master key: set ${prefix} (base64 of 32 bytes) or ${prefix}_FILE`);
}

/** A new random master key, base64 (for `interlock secrets rotate-master` and first installs). */
export function generateMasterKey(): string {
  return randomBytes(32).toString('base64');
}
