/**
 * The comparison of one business key across the systems of a job: the first side is the source
 * of truth, every other side is checked against it, and each difference becomes one typed
 * {@link Discrepancy}. Pure: the same group and rules always give the same discrepancies.
 */
import type { Discrepancy, DiscrepancyKind } from './discrepancy.ts';
import type { KeyGroup } from './merge-join.ts';
import type { FieldValue, Projection } from './projection.ts';

/** How one field is compared. */
export interface FieldRule {
  /** The canonical field name in {@link Projection.fields}. */
  field: string;
  /** `status` and `amount` fields give their own discrepancy kinds; others give field drift. */
  kind: 'field' | 'status' | 'amount';
  /** Only in these target systems (the others do not carry the field). @default every target */
  systems?: readonly string[];
  /** Amounts: the largest difference that is not drift, in major units. @default 0.005 */
  tolerance?: number;
}

/** What to compare, given the sides' systems in order (the source first). */
export interface CompareRules {
  systems: readonly string[];
  fields: readonly FieldRule[];
}

function blank(v: FieldValue | undefined): boolean {
  return v === null || v === undefined || v === '';
}

function differs(rule: FieldRule, a: FieldValue | undefined, b: FieldValue | undefined): boolean {
  if (blank(a) && blank(b)) return false;
  if (blank(a) || blank(b)) return true;
  if (rule.kind === 'amount') return Math.abs(Number(a) - Number(b)) > (rule.tolerance ?? 0.005);
  return String(a).trim() !== String(b).trim();
}

const KIND_OF: Readonly<Record<FieldRule['kind'], DiscrepancyKind>> = { field: 'field-drift', status: 'status-mismatch', amount: 'amount-mismatch' };

function contextOf(group: KeyGroup, systems: readonly string[]): Record<string, string> {
  const context: Record<string, string> = {};
  group.bySide.forEach((records, i) => {
    const first = records[0];
    if (first === undefined) return;
    context[systems[i] ?? String(i)] = first.id;
    for (const [k, v] of Object.entries(first.context ?? {})) context[`${systems[i]}.${k}`] = v;
  });
  return context;
}

/** The discrepancies of one key group. */
export function compareGroup(group: KeyGroup, rules: CompareRules): Discrepancy[] {
  const out: Discrepancy[] = [];
  // Most keys agree: the context is built only for a key that has a discrepancy.
  let context: Record<string, string> | undefined;
  const base = (system: string, records: readonly Projection[]) => ({ key: group.key, system, recordIds: records.map((r) => r.id), context: (context ??= contextOf(group, rules.systems)) });
  const one = (system: string, record: Projection) => base(system, [record]);
  group.bySide.forEach((records, i) => {
    if (records.length > 1) out.push({ kind: 'duplicate', ...base(rules.systems[i] ?? '', records) });
  });
  const source = group.bySide[0]?.[0];
  for (let i = 1; i < group.bySide.length; i++) {
    const system = rules.systems[i] ?? '';
    const records = group.bySide[i] ?? [];
    const target = records[0];
    if (source === undefined) {
      if (target !== undefined) out.push({ kind: 'orphan', ...base(system, records) });
      continue;
    }
    if (target === undefined) {
      out.push({ kind: 'missing', ...base(system, []) });
      continue;
    }
    for (const rule of rules.fields) {
      if (rule.systems !== undefined && !rule.systems.includes(system)) continue;
      const expected = source.fields[rule.field] ?? null;
      const actual = target.fields[rule.field] ?? null;
      if (differs(rule, expected, actual)) out.push({ kind: KIND_OF[rule.kind], ...one(system, target), field: rule.field, expected, actual });
    }
  }
  return out;
}
