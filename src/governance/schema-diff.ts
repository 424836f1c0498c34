/**
 * Compares two JSON Schema documents (as TypeBox and the registry write them: objects with
 * `properties`/`required`, arrays with `items`, records as `patternProperties`, enums as `enum` or
 * as `anyOf` of `const`s) and lists every difference with a JSON pointer. Whether a difference
 * breaks is decided by the subject's mode (see `compatibility.ts`), not here.
 */
import type { Change, ChangeKind } from './compatibility.ts';

type Schema = Record<string, unknown>;

const ANNOTATIONS = ['title', 'description', '$id', 'examples', 'default', '$comment', 'deprecated'];
// Lower bounds: raising them narrows. Upper bounds: lowering them narrows.
const LOWER_BOUNDS = ['minLength', 'minimum', 'exclusiveMinimum', 'minItems', 'minProperties'];
const UPPER_BOUNDS = ['maxLength', 'maximum', 'exclusiveMaximum', 'maxItems', 'maxProperties'];
const UNANALYSED = [
  '$ref',
  '$dynamicRef',
  'allOf',
  'not',
  'if',
  'then',
  'else',
  'prefixItems',
  'contains',
  'uniqueItems',
  'multipleOf',
  'propertyNames',
  'dependentRequired',
  'dependentSchemas',
  'unevaluatedProperties',
  'unevaluatedItems',
];

/** Every difference from `before` to `after`, in schema order. */
export function diffSchemas(before: unknown, after: unknown): Change[] {
  const out: Change[] = [];
  compare(asSchema(before), asSchema(after), '', out);
  return out;
}

function asSchema(s: unknown): Schema {
  if (s === true || s === undefined) return {};
  if (s === false) return { not: {} };
  return s !== null && typeof s === 'object' ? (s as Schema) : {};
}

function push(out: Change[], kind: ChangeKind, pointer: string, detail: string, narrows: boolean, widens: boolean): void {
  out.push({ kind, pointer: pointer === '' ? '/' : pointer, detail, narrows, widens });
}

function escape(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

function compare(a: Schema, b: Schema, ptr: string, out: Change[]): void {
  const enumA = enumValues(a);
  const enumB = enumValues(b);
  if (enumA !== undefined || enumB !== undefined) {
    compareEnums(enumA, enumB, a, b, ptr, out);
  } else {
    compareTypes(a, b, ptr, out);
    compareBranches(a, b, ptr, out);
  }
  compareKeyword(a, b, 'format', ptr, out);
  compareKeyword(a, b, 'pattern', ptr, out);
  compareBounds(a, b, ptr, out);
  compareObjects(a, b, ptr, out);
  if (a['items'] !== undefined || b['items'] !== undefined) {
    compare(asSchema(a['items']), asSchema(b['items']), `${ptr}/items`, out);
  }
  // Keywords the checker does not reason about: any difference counts as breaking both ways, so a
  // gate never passes a change it did not understand.
  for (const key of UNANALYSED) {
    if (JSON.stringify(a[key]) !== JSON.stringify(b[key])) {
      push(out, 'schema-replaced', `${ptr}/${key}`, `${key} changed (not analysed: treated as breaking)`, true, true);
    }
  }
  for (const key of ANNOTATIONS) {
    if (key !== '$id' && JSON.stringify(a[key]) !== JSON.stringify(b[key])) {
      push(out, 'annotation-changed', `${ptr}/${key}`, `${key} changed`, false, false);
    }
  }
}

/** The set of allowed values when the schema is an enumeration (`enum`, `const`, anyOf of consts). */
function enumValues(s: Schema): string[] | undefined {
  if (Array.isArray(s['enum'])) return s['enum'].map((v) => JSON.stringify(v));
  if ('const' in s) return [JSON.stringify(s['const'])];
  const any = s['anyOf'];
  if (Array.isArray(any) && any.length > 0 && any.every((x) => x !== null && typeof x === 'object' && 'const' in x)) {
    return any.map((x) => JSON.stringify((x as Schema)['const']));
  }
  return undefined;
}

function compareEnums(a: string[] | undefined, b: string[] | undefined, sa: Schema, sb: Schema, ptr: string, out: Change[]): void {
  if (a === undefined || b === undefined) {
    // An enumeration appeared or disappeared: the value space changed wholesale.
    const narrows = b !== undefined;
    push(out, 'schema-replaced', ptr, narrows ? 'restricted to an enumeration' : 'no longer an enumeration', narrows, !narrows);
    if (b === undefined) compareTypes(sa, sb, ptr, out);
    return;
  }
  if (a.length === 1 && b.length === 1 && 'const' in sa && 'const' in sb) {
    if (a[0] !== b[0]) push(out, 'const-changed', ptr, `const ${a[0]} → ${b[0]}`, true, true);
    return;
  }
  for (const v of a) if (!b.includes(v)) push(out, 'enum-value-removed', ptr, `value ${v} removed`, true, false);
  for (const v of b) if (!a.includes(v)) push(out, 'enum-value-added', ptr, `value ${v} added`, false, true);
}

function typesOf(s: Schema): string[] | undefined {
  const t = s['type'];
  if (typeof t === 'string') return [t];
  if (Array.isArray(t)) return t.filter((x): x is string => typeof x === 'string');
  return undefined;
}

// integer is a subset of number.
function accepts(types: readonly string[] | undefined, t: string): boolean {
  return types === undefined || types.includes(t) || (t === 'integer' && types.includes('number'));
}

function compareTypes(a: Schema, b: Schema, ptr: string, out: Change[]): void {
  const ta = typesOf(a);
  const tb = typesOf(b);
  if (JSON.stringify(ta) === JSON.stringify(tb)) return;
  const lost = (ta ?? ['any']).filter((t) => !accepts(tb, t));
  const gained = (tb ?? ['any']).filter((t) => !accepts(ta, t));
  const narrows = lost.length > 0 || (ta === undefined && tb !== undefined);
  const widens = gained.length > 0 || (tb === undefined && ta !== undefined);
  if (!narrows && !widens) return;
  const kind: ChangeKind = narrows && widens ? 'type-changed' : narrows ? 'type-narrowed' : 'type-widened';
  push(out, kind, `${ptr}/type`, `type ${(ta ?? ['any']).join('|')} → ${(tb ?? ['any']).join('|')}`, narrows, widens);
}

function compareBranches(a: Schema, b: Schema, ptr: string, out: Change[]): void {
  for (const key of ['anyOf', 'oneOf']) {
    const ba = Array.isArray(a[key]) ? (a[key] as unknown[]) : undefined;
    const bb = Array.isArray(b[key]) ? (b[key] as unknown[]) : undefined;
    if (ba === undefined && bb === undefined) continue;
    const la = ba ?? [];
    const lb = bb ?? [];
    const shared = Math.min(la.length, lb.length);
    for (let i = 0; i < shared; i++) compare(asSchema(la[i]), asSchema(lb[i]), `${ptr}/${key}/${i}`, out);
    for (let i = shared; i < la.length; i++) push(out, 'branch-removed', `${ptr}/${key}/${i}`, `${key} branch removed`, true, false);
    for (let i = shared; i < lb.length; i++) push(out, 'branch-added', `${ptr}/${key}/${i}`, `${key} branch added`, false, true);
  }
}

function compareKeyword(a: Schema, b: Schema, key: 'format' | 'pattern', ptr: string, out: Change[]): void {
  const va = a[key];
  const vb = b[key];
  if (va === vb) return;
  const at = `${ptr}/${key}`;
  if (va === undefined) push(out, `${key}-added`, at, `${key} ${JSON.stringify(vb)} added`, true, false);
  else if (vb === undefined) push(out, `${key}-removed`, at, `${key} ${JSON.stringify(va)} removed`, false, true);
  else push(out, `${key}-changed`, at, `${key} ${JSON.stringify(va)} → ${JSON.stringify(vb)}`, true, true);
}

function compareBounds(a: Schema, b: Schema, ptr: string, out: Change[]): void {
  for (const [keys, lower] of [
    [LOWER_BOUNDS, true],
    [UPPER_BOUNDS, false],
  ] as const) {
    for (const key of keys) {
      const va = typeof a[key] === 'number' ? (a[key] as number) : undefined;
      const vb = typeof b[key] === 'number' ? (b[key] as number) : undefined;
      if (va === vb) continue;
      // A bound added, or moved inwards, narrows; removed or moved outwards, widens.
      const tighter = va === undefined || (vb !== undefined && (lower ? vb > va : vb < va));
      push(
        out,
        tighter ? 'constraint-tightened' : 'constraint-loosened',
        `${ptr}/${key}`,
        `${key} ${va ?? 'none'} → ${vb ?? 'none'}`,
        tighter,
        !tighter,
      );
    }
  }
}

function compareObjects(a: Schema, b: Schema, ptr: string, out: Change[]): void {
  const pa = (a['properties'] ?? {}) as Record<string, unknown>;
  const pb = (b['properties'] ?? {}) as Record<string, unknown>;
  const ra = new Set(Array.isArray(a['required']) ? (a['required'] as string[]) : []);
  const rb = new Set(Array.isArray(b['required']) ? (b['required'] as string[]) : []);
  const closedA = a['additionalProperties'] === false;
  const closedB = b['additionalProperties'] === false;
  for (const key of Object.keys(pa)) {
    const at = `${ptr}/properties/${escape(key)}`;
    if (!(key in pb)) {
      // Old data may carry it (a closed new schema rejects it; readers relied on it either way);
      // old readers that required it break when new data lacks it.
      push(out, 'property-removed', at, `property "${key}" removed${ra.has(key) ? ' (was required)' : ''}`, true, ra.has(key) || !closedB);
      continue;
    }
    compare(asSchema(pa[key]), asSchema(pb[key]), at, out);
    if (!ra.has(key) && rb.has(key)) push(out, 'property-made-required', at, `property "${key}" made required`, true, false);
    if (ra.has(key) && !rb.has(key)) push(out, 'property-made-optional', at, `property "${key}" made optional`, false, true);
  }
  for (const key of Object.keys(pb)) {
    if (key in pa) continue;
    const at = `${ptr}/properties/${escape(key)}`;
    // New data carrying it is rejected by an old closed schema (widens); an old open schema let
    // old data carry anything under that name, which the new constraint may reject (narrows).
    if (rb.has(key)) push(out, 'required-property-added', at, `required property "${key}" added`, true, closedA);
    else push(out, 'property-added', at, `optional property "${key}" added`, !closedA, closedA);
  }
  if (!closedA && closedB && Object.keys(pa).length + Object.keys(pb).length > 0) {
    push(out, 'additional-properties-closed', `${ptr}/additionalProperties`, 'unknown properties now rejected', true, false);
  }
  if (closedA && !closedB) {
    push(out, 'additional-properties-opened', `${ptr}/additionalProperties`, 'unknown properties now accepted', false, true);
  }
  const ppa = (a['patternProperties'] ?? {}) as Record<string, unknown>;
  const ppb = (b['patternProperties'] ?? {}) as Record<string, unknown>;
  for (const key of new Set([...Object.keys(ppa), ...Object.keys(ppb)])) {
    const at = `${ptr}/patternProperties/${escape(key)}`;
    if (!(key in ppb)) push(out, 'property-removed', at, `pattern properties ${key} removed`, true, false);
    else if (!(key in ppa)) push(out, 'property-added', at, `pattern properties ${key} added`, false, true);
    else compare(asSchema(ppa[key]), asSchema(ppb[key]), at, out);
  }
}
