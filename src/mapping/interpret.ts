/**
 * Runs a mapping plan as a tree of plain closures. This is the reference back end, the semantics
 * written plainly: the generated function (generate.ts) must give the same output and the same
 * failures for every record, which generate.test.ts checks on generated corpora. It is what runs
 * with `generate: false`, and where the host forbids generating code from strings.
 */
import { CONVERTERS, ConversionError } from './convert.ts';
import { build, each, FieldFailure } from './builders.ts';
import type { Compiled, RecordContext } from './builders.ts';
import { getterOf } from './path.ts';
import type { MappingPlan, ObjectPlan, PathPlan, PostPlan, RulePlan, SourcePlan } from './plan.ts';

/** Builds the closures of `plan`. */
export function interpret(plan: MappingPlan): Compiled {
  const top = object(plan.top);
  if (plan.extra === undefined) return top;
  const { key: extraKey, consumed } = plan.extra;
  const collect = (source: unknown): Record<string, unknown> | undefined => {
    if (source === null || typeof source !== 'object') return undefined;
    let out: Record<string, unknown> | undefined;
    for (const k of Object.keys(source)) {
      if (consumed.has(k)) continue;
      const value = (source as Record<string, unknown>)[k];
      // A key named __proto__ (JSON.parse makes it an own key) is defined: assigning it would set the prototype.
      if (k === '__proto__') Object.defineProperty((out ??= {}), k, { value, enumerable: true, writable: true, configurable: true });
      else (out ??= {})[k] = value;
    }
    return out;
  };
  const withExtra = (target: unknown, source: unknown): unknown => {
    const extra = collect(source);
    if (extra !== undefined) (target as Record<string, unknown>)[extraKey] = extra;
    return target;
  };
  return top.async
    ? { async: true, fn: async (s, ctx) => withExtra(await top.fn(s, ctx), s) }
    : { async: false, fn: (s, ctx) => withExtra(top.fn(s, ctx), s) };
}

function object(plan: ObjectPlan): Compiled {
  return build(plan.entries.map((e) => ({ key: e.key, compiled: rule(e.rule) })), plan.asArray);
}

function rule(r: RulePlan): Compiled {
  const value = source(r.source);
  return r.post === undefined ? value : post(r.post, value);
}

function source(s: SourcePlan): Compiled {
  switch (s.kind) {
    case 'position':
      return { async: false, fn: (_s, ctx) => ctx.position };
    case 'path': {
      const get = getterOf(s.path);
      return s.fromRecord ? { async: false, fn: (_s, ctx) => get(ctx.root) } : { async: false, fn: get };
    }
    case 'const': {
      const value = s.value;
      return { async: false, fn: () => value };
    }
    case 'template':
      return template(s.parts);
    case 'expr': {
      const expr = s.expr;
      return { async: true, fn: (src, ctx) => expr.evaluate(src, { record: ctx.root }) };
    }
    case 'each':
      return each(getterOf(s.path), object(s.element));
    case 'object':
      return object(s.object);
  }
}

function template(spec: ReadonlyArray<string | PathPlan>): Compiled {
  const parts = spec.map((p) => (typeof p === 'string' ? p : getterOf(p)));
  return {
    async: false,
    fn: (s) => {
      let out = '';
      for (const p of parts) {
        if (typeof p === 'string') out += p;
        else {
          const v = p(s);
          if (v === undefined || v === null) return undefined;
          out += String(v);
        }
      }
      return out;
    },
  };
}

/** Default, lookup, value map, conversion, required: in that order, fused into one closure. */
function post(p: PostPlan, value: Compiled): Compiled {
  const { hasDefault, defaultValue: fallbackValue, lookup: pair, required, as } = p;
  const table = p.map?.table;
  const mapName = p.map?.name ?? '';
  const mapFallback = p.map?.fallback;
  const convert = as === undefined ? undefined : CONVERTERS[as];
  const lookup = pair === undefined ? undefined : lookupIn(pair);
  const apply = (input: unknown, ctx: RecordContext): unknown => {
    let v = input;
    if (v === undefined || v === null) {
      if (!hasDefault) {
        if (required && ctx.misses.length === 0) throw new FieldFailure('required', 'is required but missing');
        return undefined;
      }
      v = fallbackValue;
    }
    if (lookup !== undefined) {
      v = lookup(v, ctx);
      // A pending lookup: the record is mapped again once the batch's lookups are resolved.
      if (v === undefined) return undefined;
      // No cross-reference: absent, which only a required field refuses.
      if (v === null) {
        if (required) throw new FieldFailure(`lookup: ${pair}`, `no cross-reference for ${JSON.stringify(input)}`);
        return undefined;
      }
    }
    if (table !== undefined) {
      const hit = table.get(typeof v === 'string' ? v : String(v));
      if (hit !== undefined) v = hit;
      else if (mapFallback !== undefined) v = mapFallback;
      else throw new FieldFailure(`map: ${mapName}`, `${JSON.stringify(v)} is not in value map "${mapName}"`);
    }
    if (convert !== undefined) {
      try {
        v = convert(v);
      } catch (err) {
        if (err instanceof ConversionError) throw new FieldFailure(`as: ${as}`, err.message);
        throw err;
      }
    }
    return v;
  };
  const inner = value.fn;
  return value.async
    ? { async: true, fn: async (s, ctx) => apply(await inner(s, ctx), ctx) }
    : { async: false, fn: (s, ctx) => apply(inner(s, ctx), ctx) };
}

/** A cache read: the answer, `null` when there is none, `undefined` while pending. */
function lookupIn(pair: string): (v: unknown, ctx: RecordContext) => unknown {
  return (v, ctx) => {
    if (v === undefined || v === null) return v;
    const key = typeof v === 'string' ? v : String(v);
    const hit = ctx.xref.get(pair, key);
    if (hit === undefined) {
      ctx.misses.push({ pair, value: key });
      return undefined;
    }
    return hit;
  };
}
