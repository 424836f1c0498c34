/**
 * The contract check of a mapping's outputs, without the checks its rules already guarantee.
 *
 * A field whose rule can only give values that satisfy the field's schema cannot fail it, so its
 * schema is dropped before the contract is compiled (with the same ajv setup as every other
 * check): a value map's values and a constant are checked against the schema once, here; a
 * conversion to a decimal always writes the canonical Decimal pattern; an object whose keys the
 * schema all declares has no additional property. The other checks run in the same order as
 * before, so a record that fails fails with the same field and message.
 */
import type { ValidateFunction } from 'ajv/dist/2020.js';
import { createAjv, findContract, validatorFor } from '../canonical/catalogue.ts';
import { notFoundError } from '../core/errors.ts';
import { CONVERTERS } from './convert.ts';
import type { Conversion } from './spec.ts';
import type { MappingPlan, ObjectPlan, RulePlan } from './plan.ts';

type Schema = Record<string, unknown>;

/** The canonical Decimal pattern, which every decimal conversion writes (convert.ts, DECIMAL). */
const DECIMAL_PATTERN = '^-?(0|[1-9][0-9]*)(\\.[0-9]+)?$';

/** What a conversion's result always satisfies: its type, pattern, and least length. */
interface Guarantee {
  readonly type: 'string' | 'integer' | 'number' | 'boolean';
  readonly pattern?: string;
  readonly minLength?: number;
}

const DECIMAL_TEXT: Guarantee = { type: 'string', pattern: DECIMAL_PATTERN, minLength: 1 };
const GUARANTEED: Record<Conversion, Guarantee> = {
  decimal: DECIMAL_TEXT,
  'major-units': DECIMAL_TEXT,
  string: { type: 'string' },
  upper: { type: 'string' },
  lower: { type: 'string' },
  date: { type: 'string', minLength: 1 },
  datetime: { type: 'string', minLength: 1 },
  integer: { type: 'integer' },
  'minor-units': { type: 'integer' },
  'epoch-s': { type: 'integer' },
  number: { type: 'number' },
  'epoch-ms': { type: 'number' },
  boolean: { type: 'boolean' },
};

// Keywords that describe and never refuse.
const ANNOTATIONS = new Set(['title', 'description', '$comment', 'examples', 'default', 'deprecated', 'readOnly', 'writeOnly']);

/**
 * A validator of `subject` for the outputs of `plan`: the contract less what `plan` guarantees.
 * The whole contract when nothing is guaranteed (or its schema is not a plain object schema).
 */
export function outputValidator(subject: string, plan: MappingPlan): ValidateFunction {
  const contract = findContract(subject);
  if (contract === undefined) throw notFoundError(`no canonical contract named "${subject}"`);
  const schema = JSON.parse(JSON.stringify(contract.schema)) as Schema;
  delete schema['$id'];
  const ajv = createAjv(false);
  const accepts: Accepts = (s, values) => {
    try {
      return values.every((v) => ajv.validate(s, v));
    } catch {
      // A schema that does not compile alone (a reference to elsewhere) proves nothing.
      return false;
    }
  };
  return prune([plan.top], schema, accepts, plan.extra?.key) ? ajv.compile(schema) : validatorFor(subject);
}

type Accepts = (schema: Schema, values: readonly unknown[]) => boolean;

/**
 * Drops from object `schema` what every object built by `plans` satisfies; whether anything was
 * dropped. `extraKey` is a key written beside the plans' own (the top object's `extra`).
 */
function prune(plans: readonly ObjectPlan[], schema: Schema, accepts: Accepts, extraKey?: string): boolean {
  const properties = schema['properties'];
  if (plans.some((p) => p.asArray) || schema['type'] !== 'object' || !isSchema(properties)) return false;
  let any = false;
  const keys = new Set(plans.flatMap((p) => p.entries.map((e) => e.key)));
  // An output has only its plan's keys: when the schema declares them all, none is additional.
  const declared = [...keys, ...(extraKey === undefined ? [] : [extraKey])].every((k) => Object.hasOwn(properties, k));
  if (schema['additionalProperties'] === false && declared && !('patternProperties' in schema) && !('unevaluatedProperties' in schema)) {
    delete schema['additionalProperties'];
    any = true;
  }
  for (const key of keys) {
    const sub = Object.hasOwn(properties, key) ? properties[key] : undefined;
    if (key === extraKey || !isSchema(sub) || '$ref' in sub || '$dynamicRef' in sub) continue;
    const rules = plans.flatMap((p) => p.entries.filter((e) => e.key === key).map((e) => e.rule));
    if (rules.every((r) => guarantees(r, sub, accepts))) {
      properties[key] = {};
      any = true;
      continue;
    }
    const items = sub['type'] === 'array' && isSchema(sub['items']) ? sub['items'] : undefined;
    const objects = rules.every((r) => r.source.kind === 'object' && r.post === undefined)
      ? rules.map((r) => (r.source as { object: ObjectPlan }).object)
      : undefined;
    if (objects !== undefined && objects.every((o) => !o.asArray)) {
      any = prune(objects, sub, accepts) || any;
    } else if (objects !== undefined && items !== undefined && objects.every((o) => o.asArray)) {
      // A fixed list (`items`): its elements are objects built by the entries' own plans.
      const elements = objects.flatMap((o) => o.entries.map((e) => e.rule));
      if (elements.every((r) => r.source.kind === 'object' && r.post === undefined)) {
        any = prune(elements.map((r) => (r.source as { object: ObjectPlan }).object), items, accepts) || any;
      }
    } else if (items !== undefined && rules.every((r) => r.source.kind === 'each' && r.post === undefined)) {
      any = prune(rules.map((r) => (r.source as { element: ObjectPlan }).element), items, accepts) || any;
    }
  }
  return any;
}

/** Whether every value `rule` can write satisfies `schema`. */
function guarantees(rule: RulePlan, schema: Schema, accepts: Accepts): boolean {
  const values = possibleValues(rule);
  if (values !== undefined) return accepts(schema, values);
  const g = guarantee(rule);
  if (g === undefined) return false;
  return Object.entries(schema).every(
    ([k, v]) =>
      ANNOTATIONS.has(k) ||
      (k === 'type' && (v === g.type || (v === 'number' && g.type === 'integer'))) ||
      (k === 'pattern' && v === g.pattern) ||
      (k === 'minLength' && typeof v === 'number' && v <= (g.minLength ?? 0)),
  );
}

/** What every value of `rule` satisfies, by its conversion or, for text with fixed parts, by its template. */
function guarantee(rule: RulePlan): Guarantee | undefined {
  const post = rule.post;
  if (post?.as !== undefined) return GUARANTEED[post.as];
  const onlyRequired = post === undefined || (!post.hasDefault && post.lookup === undefined && post.map === undefined);
  if (rule.source.kind === 'template' && onlyRequired) {
    const fixed = rule.source.parts.some((p) => typeof p === 'string' && p !== '');
    return { type: 'string', minLength: fixed ? 1 : 0 };
  }
  return undefined;
}

/**
 * Every value `rule` can write, when they are few and known now: a constant, or a value map's
 * values (whatever was looked up), each through the rule's conversion. Values a conversion refuses
 * park the record before any contract check, so they are left out.
 */
function possibleValues(rule: RulePlan): unknown[] | undefined {
  const post = rule.post;
  let values: unknown[];
  if (post?.map !== undefined) {
    values = [...post.map.table.values()];
    if (post.map.fallback !== undefined) values.push(post.map.fallback);
  } else if (rule.source.kind === 'const' && post?.lookup === undefined) {
    values = [rule.source.value ?? (post?.hasDefault === true ? post.defaultValue : null)];
  } else {
    return undefined;
  }
  const convert = post?.as === undefined ? undefined : CONVERTERS[post.as];
  const out: unknown[] = [];
  for (const v of values) {
    if (v === null || v === undefined) continue;
    try {
      out.push(convert === undefined ? v : convert(v));
    } catch {
      // Refused by the conversion: the record is parked by that rule, never checked.
    }
  }
  return out;
}

function isSchema(v: unknown): v is Schema {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
