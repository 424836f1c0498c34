/**
 * The contract check of a mapping's outputs, without the checks its rules already guarantee.
 *
 * A field whose rule can only give values that satisfy the field's schema cannot fail it, so its
 * schema is dropped before the contract is compiled (with the same ajv setup as every other
 * check): a value map's values and a constant are checked against the schema once, here; a
 * conversion to a decimal always writes the canonical Decimal pattern. The other checks run in the
 * same order as before, so a record that fails fails with the same field and message.
 */
import type { ValidateFunction } from 'ajv/dist/2020.js';
import { createAjv, findContract, validatorFor } from '../canonical/catalogue.ts';
import { notFoundError } from '../core/errors.ts';
import { CONVERTERS } from './convert.ts';
import type { Conversion } from './spec.ts';
import type { ObjectPlan, RulePlan } from './plan.ts';

type Schema = Record<string, unknown>;

/** The canonical Decimal pattern, which every decimal conversion writes (convert.ts, DECIMAL). */
const DECIMAL_PATTERN = '^-?(0|[1-9][0-9]*)(\\.[0-9]+)?$';

/** What a conversion's result always satisfies, as the schema keywords it makes redundant. */
const GUARANTEED: Partial<Record<Conversion, Schema>> = {
  decimal: { type: 'string', pattern: DECIMAL_PATTERN },
  'major-units': { type: 'string', pattern: DECIMAL_PATTERN },
  string: { type: 'string' },
  upper: { type: 'string' },
  lower: { type: 'string' },
  date: { type: 'string' },
  datetime: { type: 'string' },
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
 * A validator of `subject` for the outputs of `top`: the contract with the fields `top` guarantees
 * left out. Falls back to the full contract when its schema is not a plain object schema.
 */
export function outputValidator(subject: string, top: ObjectPlan): ValidateFunction {
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
  return prune(top, schema, accepts) ? ajv.compile(schema) : validatorFor(subject);
}

type Accepts = (schema: Schema, values: readonly unknown[]) => boolean;

/** Drops the property schemas `plan` guarantees from object `schema`; whether any was dropped. */
function prune(plan: ObjectPlan, schema: Schema, accepts: Accepts): boolean {
  const properties = schema['properties'];
  if (plan.asArray || schema['type'] !== 'object' || !isSchema(properties)) return false;
  let any = false;
  for (const { key, rule } of plan.entries) {
    const sub = Object.hasOwn(properties, key) ? properties[key] : undefined;
    if (!isSchema(sub) || '$ref' in sub || '$dynamicRef' in sub) continue;
    if (guarantees(rule, sub, accepts)) {
      properties[key] = {};
      any = true;
    } else if (rule.source.kind === 'object' && rule.post === undefined) {
      any = prune(rule.source.object, sub, accepts) || any;
    } else if (rule.source.kind === 'each' && rule.post === undefined && sub['type'] === 'array' && isSchema(sub['items'])) {
      any = prune(rule.source.element, sub['items'], accepts) || any;
    }
  }
  return any;
}

/** Whether every value `rule` can write satisfies `schema`. */
function guarantees(rule: RulePlan, schema: Schema, accepts: Accepts): boolean {
  const values = possibleValues(rule);
  if (values !== undefined) return accepts(schema, values);
  const as = rule.post?.as;
  const implied = as === undefined ? undefined : GUARANTEED[as];
  if (implied === undefined) return false;
  return Object.entries(schema).every(([k, v]) => ANNOTATIONS.has(k) || (k in implied && implied[k] === v) || (k === 'type' && v === 'number' && implied[k] === 'integer'));
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
