/**
 * Secrets by reference in the configuration: any string value that is exactly `secret://<name>`
 * is replaced by that secret's value when the process starts, so the YAML file (and anything
 * that prints the configuration) holds names, never credentials.
 */
import { validationError } from '../core/errors.ts';

/** The reference prefix. */
export const SECRET_REF = 'secret://';

/** Reads one secret's clear value (e.g. `Secrets.reveal`). */
export type RevealSecret = (name: string) => Promise<string>;

/** Every `secret://name` reference in `value`, with the key path where it appears. */
export function findSecretRefs(value: unknown, path = ''): Array<{ path: string; name: string }> {
  if (typeof value === 'string') return value.startsWith(SECRET_REF) ? [{ path, name: value.slice(SECRET_REF.length) }] : [];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => findSecretRefs(v, path === '' ? k : `${path}.${k}`));
}

/**
 * A copy of `value` with every reference replaced by the secret's value. An unknown secret stops
 * start-up with the config key and the secret's name.
 */
export async function resolveSecretRefs<T>(value: T, reveal: RevealSecret): Promise<T> {
  const refs = findSecretRefs(value);
  if (refs.length === 0) return value;
  const values = new Map<string, string>();
  for (const { path, name } of refs) {
    if (values.has(name)) continue;
    try {
      values.set(name, await reveal(name));
    } catch (err) {
      throw validationError(`config key "${path}" refers to secret "${name}", which cannot be read: ${(err as Error).message}`, { cause: err });
    }
  }
  return replace(value, values) as T;
}

function replace(value: unknown, values: ReadonlyMap<string, string>): unknown {
  if (typeof value === 'string') return value.startsWith(SECRET_REF) ? values.get(value.slice(SECRET_REF.length)) : value;
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => replace(v, values));
  const out = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replace(v, values)]));
  return Object.isFrozen(value) ? Object.freeze(out) : out;
}
