/**
 * `expand[]`: replaces id fields with the objects they name, along dotted paths such as
 * `latest_invoice.payment_intent`, `customer` or, on lists, `data.customer`. Works on a copy,
 * so stored records keep their ids.
 */
import type { StripeObject } from './objects.ts';

/** Finds any stored object by id. */
export type Lookup = (id: string) => StripeObject | undefined;

/** A copy of `value` with every path in `paths` expanded. */
export function expand<T>(value: T, paths: readonly string[], lookup: Lookup): T {
  const copy = structuredClone(value);
  for (const path of paths) expandPath(copy, path.split('.'), lookup);
  return copy;
}

function expandPath(target: unknown, segments: readonly string[], lookup: Lookup): void {
  if (Array.isArray(target)) {
    for (const item of target) expandPath(item, segments, lookup);
    return;
  }
  const [head, ...rest] = segments;
  if (head === undefined || typeof target !== 'object' || target === null) return;
  const record = target as Record<string, unknown>;
  const current = record[head];
  if (typeof current === 'string') {
    const found = lookup(current);
    if (found === undefined) return;
    record[head] = structuredClone(found);
  }
  if (rest.length > 0) expandPath(record[head], rest, lookup);
}
