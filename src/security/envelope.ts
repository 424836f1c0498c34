/**
 * Envelope encryption with AES-256-GCM: each value is sealed under a data key of its own, and
 * the data key is sealed under the master key. Associated data binds both to the secret's name,
 * so a ciphertext moved to another name (or a wrapped key moved to another secret) fails to open.
 * Rotating the master key re-seals only the small data keys; values are never re-encrypted.
 *
 * Sealed layout: 12-byte IV ‖ ciphertext ‖ 16-byte tag.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { InterlockError } from '../core/errors.ts';

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Encrypts `plaintext` under `key` (32 bytes), authenticating `aad` with it. */
export function seal(plaintext: Buffer, key: Buffer, aad: string): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]);
}

/** Decrypts what {@link seal} produced; throws when the key, the data or `aad` does not match. */
export function open(sealed: Buffer, key: Buffer, aad: string): Buffer {
  if (sealed.length < IV_BYTES + TAG_BYTES) throw refused();
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)), decipher.final()]);
  } catch {
    throw refused();
  }
}

/** A fresh random data key. */
export function newDataKey(): Buffer {
  return randomBytes(32);
}

/** Associated data of a secret's value. */
export function valueAad(name: string): string {
  return `interlock/secret-value/${name}`;
}

/** Associated data of a secret's wrapped data key. */
export function dataKeyAad(name: string): string {
  return `interlock/data-key/${name}`;
}

function refused(): InterlockError {
  return new InterlockError('permanent', 'ciphertext failed authentication (tampered, moved to another name, or wrong key)', { type: 'decryption-failed' });
}
