/**
 * A route's transform: a JSONata expression compiled once at start. JSONata evaluates every
 * node asynchronously (a promise per step), which made the commonest transform — an object of
 * fields picked from the event, `{"id": id, "amount": order.total}` — one of the costliest
 * parts of routing an event. That one shape is therefore also compiled to a plain function,
 * used whenever its answer is certainly JSONata's own: the event is a JSON object, every path
 * walks through objects only, and every value picked is a string, number, boolean or null (a
 * missing one leaves its field out, as JSONata does). Anything else — arrays (JSONata maps over
 * them), nested objects, any other expression — is evaluated by JSONata itself. The tests
 * compare both on every case.
 */
import jsonata from 'jsonata';

/** A compiled transform. */
export interface Transform {
  /** The expression's value for `input` (a parsed JSON event). */
  evaluate(input: unknown): unknown;
  /** Whether `evaluate` has the fast path (for tests). */
  readonly fast: boolean;
}

/** Compiles `expression`; throws JSONata's error when it does not parse. */
export function compileTransform(expression: string): Transform {
  const expr = jsonata(expression);
  const fields = pickedFields(expr.ast());
  if (fields === undefined) return { evaluate: (input) => expr.evaluate(input), fast: false };
  return {
    fast: true,
    evaluate(input) {
      const picked = pick(fields, input);
      return picked === undefined ? expr.evaluate(input) : picked;
    },
  };
}

/** One field of an object constructor: its name and the path of names it takes its value from. */
interface Field {
  name: string;
  path: readonly string[];
}

// Names that would reach or replace an object's prototype: left to JSONata.
const UNSAFE = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * The fields of an expression of the form `{"name": a.b.c, …}` (string keys, each value a path of
 * plain names: no predicates, functions, wildcards or variables); undefined for anything else.
 */
function pickedFields(ast: jsonata.ExprNode): Field[] | undefined {
  if (ast.type !== 'unary' || ast.value !== '{' || !onlyKeys(ast, ['type', 'value', 'position', 'lhs'])) return undefined;
  const pairs = (ast as { lhs?: unknown }).lhs;
  if (!Array.isArray(pairs)) return undefined;
  const fields: Field[] = [];
  const names = new Set<string>();
  for (const pair of pairs as unknown[]) {
    if (!Array.isArray(pair) || pair.length !== 2) return undefined;
    const [key, value] = pair as [jsonata.ExprNode, jsonata.ExprNode];
    if (key.type !== 'string' || typeof key.value !== 'string' || !onlyKeys(key, ['type', 'value', 'position'])) return undefined;
    // A repeated key is JSONata's error (D1009) to raise.
    if (UNSAFE.has(key.value) || names.has(key.value)) return undefined;
    names.add(key.value);
    if ((value.type as string) !== 'path' || !onlyKeys(value, ['type', 'steps']) || !Array.isArray(value.steps) || value.steps.length === 0) return undefined;
    const path: string[] = [];
    for (const step of value.steps) {
      if (step.type !== 'name' || typeof step.value !== 'string' || UNSAFE.has(step.value) || !onlyKeys(step, ['type', 'value', 'position'])) return undefined;
      path.push(step.value);
    }
    fields.push({ name: key.value, path });
  }
  return fields;
}

function onlyKeys(node: object, allowed: readonly string[]): boolean {
  return Object.keys(node).every((k) => allowed.includes(k));
}

/** The object the fields pick from `input`, or undefined where JSONata must decide. */
function pick(fields: readonly Field[], input: unknown): Record<string, unknown> | undefined {
  if (!isPlainObject(input)) return undefined;
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    let v: unknown = input;
    for (const name of f.path) {
      if (!isPlainObject(v)) return undefined;
      v = Object.hasOwn(v, name) ? v[name] : undefined;
      if (v === undefined) break;
    }
    if (v === undefined) continue;
    if (typeof v === 'number' ? !Number.isFinite(v) : v !== null && typeof v !== 'string' && typeof v !== 'boolean') return undefined;
    out[f.name] = v;
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
