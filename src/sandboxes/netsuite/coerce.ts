/**
 * Checks one request value against its field: numbers, booleans, ISO dates, and references given
 * as `{"id": "…"}` or `{"externalId": "…"}` (resolved to the internal id). Failures are NetSuite's
 * `INVALID_CONTENT` / `INVALID_KEY_OR_REF` errors with the field's `o:errorPath`.
 */
import { NetSuiteError } from './errors.ts';
import { refTargets } from './schema.ts';
import type { NsField } from './schema.ts';
import type { NsStore } from './store.ts';

const NONE: readonly string[] = [];

/** Coerces a value for `field`; `path` is reported in errors. */
export function coerceField(store: NsStore, field: NsField, value: unknown, path: string): unknown {
  if (value === null || value === undefined) return null;
  switch (field.kind) {
    case 'number': {
      const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
      if (!Number.isFinite(n)) throw invalid(field, value, path);
      return n;
    }
    case 'boolean':
      if (typeof value !== 'boolean') throw invalid(field, value, path);
      return value;
    case 'date':
      if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(value))) throw invalid(field, value, path);
      return value;
    case 'datetime':
      if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) throw invalid(field, value, path);
      return new Date(value).toISOString();
    case 'ref':
      return resolveRef(store, field, value, path);
    default:
      if (typeof value === 'object') throw invalid(field, value, path);
      return String(value);
  }
}

// A function, not a closure made per call: every field of every request body is coerced.
function invalid(field: NsField, value: unknown, path: string): NetSuiteError {
  return new NetSuiteError(400, 'INVALID_CONTENT', `Error while accessing a resource. You have entered an Invalid Field Value ${JSON.stringify(value)} for the following field: ${field.name}`, { path });
}

function resolveRef(store: NsStore, field: NsField, value: unknown, path: string): string {
  const targets = refTargets(field.refTypes ?? NONE);
  const ref = value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  const id = ref === undefined ? value : ref['id'];
  const externalId = ref?.['externalId'];
  let found: string | undefined;
  if (typeof id === 'string' || typeof id === 'number') {
    found = store.getAny(targets, String(id))?.id;
  } else if (typeof externalId === 'string') {
    found = targets.map((t) => store.byExternalId(t, externalId)).find((r) => r !== undefined)?.id;
  }
  if (found === undefined) {
    const key = id ?? (externalId === undefined ? '' : `eid:${String(externalId)}`);
    throw new NetSuiteError(400, 'INVALID_KEY_OR_REF', `Error while accessing a resource. Invalid ${field.name} reference key ${String(key)}.`, { path });
  }
  return found;
}
