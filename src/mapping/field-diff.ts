/** Field-level differences between two JSON values, for golden-fixture failures people can read. */
import { formatPath } from './mapper.ts';

/** One differing field. */
export interface FieldDifference {
  /** Field path, e.g. `lines[0].unitPrice.amount`. */
  path: string;
  /** Expected value (undefined when the field should be absent). */
  expected: unknown;
  /** Actual value (undefined when the field is missing). */
  actual: unknown;
}

/** Every leaf where `actual` differs from `expected`. */
export function fieldDiff(expected: unknown, actual: unknown): FieldDifference[] {
  const out: FieldDifference[] = [];
  walk(expected, actual, [], out, false);
  return out;
}

/**
 * Every leaf of `part` that differs from `whole` at the same path (fields of `whole` that `part`
 * lacks are ignored): the round-trip check that mapping back reproduces the original values.
 */
export function subsetDiff(part: unknown, whole: unknown): FieldDifference[] {
  const out: FieldDifference[] = [];
  walk(part, whole, [], out, true);
  return out.map((d) => ({ path: d.path, expected: d.actual, actual: d.expected }));
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function walk(a: unknown, b: unknown, path: Array<string | number>, out: FieldDifference[], subset: boolean): void {
  if (Array.isArray(a) && Array.isArray(b)) {
    const n = subset ? a.length : Math.max(a.length, b.length);
    for (let i = 0; i < n; i++) walk(a[i], b[i], [...path, i], out, subset);
    return;
  }
  if (isObject(a) && isObject(b)) {
    const keys = subset ? Object.keys(a) : [...new Set([...Object.keys(a), ...Object.keys(b)])];
    for (const k of keys) walk(a[k], b[k], [...path, k], out, subset);
    return;
  }
  if (!Object.is(a, b) && JSON.stringify(a) !== JSON.stringify(b)) out.push({ path: formatPath(path) || '(root)', expected: a, actual: b });
}
