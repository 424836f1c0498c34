/**
 * Compiles a mapping spec into a tree of plain closures, once. Paths become property reads, value
 * maps become `Map` lookups, expressions are parsed once, lookups read a per-run cache. A rule
 * that needs no expression stays synchronous, so a mapping without expressions maps a record
 * with no promise at all. No code is generated: a mapping file cannot run JavaScript.
 */
import { InterlockError, validationError } from '../core/errors.ts';
import { CONVERTERS, ConversionError } from './convert.ts';
import { compileExpression } from './expression.ts';
import type { CompiledExpression, ExpressionLimits } from './expression.ts';
import { compileGetter, FORBIDDEN_SEGMENTS, parsePath } from './path.ts';
import type { FieldRule, FieldRuleObject, MappingSpec, ValueMap } from './spec.ts';
import { build, each, FieldFailure } from './builders.ts';
import type { Compiled, Entry, RecordContext } from './builders.ts';
import { CANONICAL_SYSTEM, parseEnd } from './xref.ts';

/** Options for {@link compileSpec}. */
export interface CompileOptions {
  /** Limits for every expression of the mapping. */
  limits?: ExpressionLimits;
}

/** Turns an error thrown while compiling the rule at `key` into one that names the key. */
export type Locator = (key: ReadonlyArray<string | number>, err: unknown) => InterlockError;

/** Compiles the `fields` of a spec into one producer of the target object. */
export function compileSpec(spec: MappingSpec, locate: Locator, options: CompileOptions = {}): Compiled {
  const consumed = new Set<string>(spec.extra?.ignore ?? []);
  const c = new Compiler(spec.valueMaps ?? {}, locate, options.limits, consumed);
  const top = c.object(spec.fields, ['fields'], consumed);
  if (spec.extra === undefined) return top;
  const extraKey = spec.extra.to;
  if (FORBIDDEN_SEGMENTS.has(extraKey)) throw locate(['extra', 'to'], validationError(`"${extraKey}" is forbidden`));
  const collect = (source: unknown): Record<string, unknown> | undefined => {
    if (source === null || typeof source !== 'object') return undefined;
    let out: Record<string, unknown> | undefined;
    for (const k of Object.keys(source)) {
      if (!consumed.has(k)) (out ??= {})[k] = (source as Record<string, unknown>)[k];
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

const RECORD_PREFIX = '$record.';
const POSITION = '$position';

class Compiler {
  readonly #maps = new Map<string, Map<string, unknown>>();
  readonly #mapDefaults = new Map<string, unknown>();
  readonly #specMaps: Record<string, ValueMap>;
  readonly #locate: Locator;
  readonly #limits: ExpressionLimits | undefined;
  /** Top-level source keys read through `$record.` from anywhere. */
  readonly #rootConsumed: Set<string>;

  constructor(valueMaps: Record<string, ValueMap>, locate: Locator, limits: ExpressionLimits | undefined, rootConsumed: Set<string>) {
    this.#rootConsumed = rootConsumed;
    this.#specMaps = valueMaps;
    this.#locate = locate;
    this.#limits = limits;
  }

  /** A target object from a `fields` block; `consumed` collects top-level source keys read. */
  object(fields: Record<string, FieldRule>, at: Array<string | number>, consumed?: Set<string>): Compiled {
    // Dotted target keys (`total.amount`) nest: group them by their first segment.
    const groups = new Map<string, Record<string, FieldRule>>();
    const direct: Entry[] = [];
    for (const [key, rule] of Object.entries(fields)) {
      const dot = key.indexOf('.');
      const head = dot < 0 ? key : key.slice(0, dot);
      if (head === '' || FORBIDDEN_SEGMENTS.has(head)) {
        throw this.#locate([...at, key], validationError(`target field "${key}" is not allowed`));
      }
      if (dot < 0) {
        direct.push({ key, compiled: this.#guarded([...at, key], () => this.rule(rule, [...at, key], consumed)) });
      } else {
        const g = groups.get(head) ?? {};
        g[key.slice(dot + 1)] = rule;
        groups.set(head, g);
      }
    }
    for (const [head, sub] of groups) {
      if (direct.some((e) => e.key === head)) {
        throw this.#locate([...at, head], validationError(`target field "${head}" is given both whole and by parts`));
      }
      direct.push({ key: head, compiled: this.object(sub, at, consumed) });
    }
    return build(direct);
  }

  #guarded(at: Array<string | number>, fn: () => Compiled): Compiled {
    try {
      return fn();
    } catch (err) {
      if (err instanceof InterlockError && err.details?.['file'] !== undefined) throw err;
      throw this.#locate(at, err);
    }
  }

  rule(rule: FieldRule, at: Array<string | number>, consumed: Set<string> | undefined): Compiled {
    const r: FieldRuleObject = typeof rule === 'string' ? { from: rule } : rule;
    const sources: string[] = (['from', 'const', 'expr', 'template', 'each', 'items'] as const).filter((k) => r[k] !== undefined);
    if (r.fields !== undefined && r.each === undefined) sources.push('fields');
    if (sources.length !== 1) {
      throw validationError(`a rule needs exactly one of from, const, expr, template, each, items or fields (found ${sources.length})`);
    }
    if (r.each !== undefined && r.fields === undefined) throw validationError('"each" needs "fields"');
    const value = this.#source(r, at, consumed);
    return this.#post(r, value);
  }

  #source(r: FieldRuleObject, at: Array<string | number>, consumed: Set<string> | undefined): Compiled {
    const consume = (path: string): void => {
      const head = parsePath(path)[0];
      if (typeof head === 'string') consumed?.add(head);
    };
    if (r.from === POSITION) return { async: false, fn: (_s, ctx) => ctx.position };
    if (r.from !== undefined) {
      // `$record.` reads from the whole record, e.g. the order currency from inside a line.
      if (r.from.startsWith(RECORD_PREFIX)) {
        const path = r.from.slice(RECORD_PREFIX.length);
        this.#rootConsumed.add(String(parsePath(path)[0]));
        const get = compileGetter(path);
        return { async: false, fn: (_s, ctx) => get(ctx.root) };
      }
      consume(r.from);
      return { async: false, fn: compileGetter(r.from) };
    }
    if (r.const !== undefined) {
      const value = r.const;
      return { async: false, fn: () => value };
    }
    if (r.template !== undefined) return this.#template(r.template, consume);
    if (r.expr !== undefined) {
      const expr: CompiledExpression = compileExpression(r.expr, this.#limits);
      // Whatever an expression reads counts as consumed; the field names it could touch are unknown.
      for (const name of r.expr.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? []) consumed?.add(name);
      return { async: true, fn: (s, ctx) => expr.evaluate(s, { record: ctx.root }) };
    }
    if (r.each !== undefined && r.fields !== undefined) {
      consume(r.each);
      return each(compileGetter(r.each), this.object(r.fields, [...at, 'fields']));
    }
    if (r.items !== undefined) {
      const list = r.items.map((fields, i) => this.object(fields, [...at, 'items', i], consumed));
      return build(list.map((compiled, i) => ({ key: String(i), compiled })), true);
    }
    return this.object(r.fields ?? {}, [...at, 'fields'], consumed);
  }

  #template(text: string, consume: (path: string) => void): Compiled {
    const parts: Array<string | ((s: unknown) => unknown)> = [];
    let last = 0;
    for (const m of text.matchAll(/\{([^{}]+)\}/g)) {
      parts.push(text.slice(last, m.index));
      const path = m[1] ?? '';
      consume(path);
      parts.push(compileGetter(path));
      last = m.index + m[0].length;
    }
    parts.push(text.slice(last));
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

  #valueMap(name: string, reverse: boolean): { map: Map<string, unknown>; fallback: unknown } {
    const spec = this.#specMaps[name];
    if (spec === undefined) throw validationError(`no value map named "${name}"`);
    const id = `${reverse ? '~' : ''}${name}`;
    let map = this.#maps.get(id);
    if (map === undefined) {
      map = new Map();
      for (const [k, v] of Object.entries(spec.values)) {
        // Reversed, the first key listed for a value wins, so maps may be many-to-one.
        if (!reverse) map.set(k, v);
        else if (!map.has(String(v))) map.set(String(v), k);
      }
      this.#maps.set(id, map);
      this.#mapDefaults.set(id, reverse ? undefined : spec.default);
    }
    return { map, fallback: this.#mapDefaults.get(id) };
  }

  /**
   * Default, lookup, value map, conversion, required: in that order, fused into one closure (one
   * call per field instead of one per step), each step skipped when the rule does not use it.
   */
  #post(r: FieldRuleObject, value: Compiled): Compiled {
    const hasDefault = r.default !== undefined;
    const fallbackValue = r.default;
    const lookup = r.lookup === undefined ? undefined : this.#lookup(r.lookup.from, r.lookup.to);
    const lookupName = r.lookup === undefined ? '' : `${r.lookup.from}>${r.lookup.to}`;
    if (r.reverse !== undefined && r.map === undefined) throw validationError('"reverse" applies only with "map"');
    const mapName = r.map ?? '';
    const vm = r.map === undefined ? undefined : this.#valueMap(r.map, r.reverse === true);
    const table = vm?.map;
    const mapFallback = vm?.fallback;
    const as = r.as;
    const convert = as === undefined ? undefined : CONVERTERS[as];
    const required = r.required === true;
    if (!hasDefault && lookup === undefined && table === undefined && convert === undefined && !required) return value;
    const post = (input: unknown, ctx: RecordContext): unknown => {
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
          if (required) throw new FieldFailure(`lookup: ${lookupName}`, `no cross-reference for ${JSON.stringify(input)}`);
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
    if (value.async) return { async: true, fn: async (s, ctx) => post(await inner(s, ctx), ctx) };
    // The commonest rules get one closure of their own: a conversion alone, a value map alone.
    if (convert !== undefined && !hasDefault && lookup === undefined && table === undefined && !required) {
      return {
        async: false,
        fn: (s, ctx) => {
          const v = inner(s, ctx);
          if (v === undefined || v === null) return undefined;
          try {
            return convert(v);
          } catch (err) {
            if (err instanceof ConversionError) throw new FieldFailure(`as: ${as}`, err.message);
            throw err;
          }
        },
      };
    }
    if (table !== undefined && !hasDefault && lookup === undefined && convert === undefined && !required) {
      return {
        async: false,
        fn: (s, ctx) => {
          const v = inner(s, ctx);
          if (v === undefined || v === null) return undefined;
          const hit = table.get(typeof v === 'string' ? v : String(v));
          if (hit !== undefined) return hit;
          if (mapFallback !== undefined) return mapFallback;
          throw new FieldFailure(`map: ${mapName}`, `${JSON.stringify(v)} is not in value map "${mapName}"`);
        },
      };
    }
    return { async: false, fn: (s, ctx) => post(inner(s, ctx), ctx) };
  }

  /** A cache read: the answer, `null` when there is none, `undefined` while pending. */
  #lookup(fromText: string, toText: string): (v: unknown, ctx: RecordContext) => unknown {
    const from = parseEnd(fromText);
    const to = parseEnd(toText);
    if ((from.system === CANONICAL_SYSTEM) === (to.system === CANONICAL_SYSTEM)) {
      throw validationError(`lookup ${fromText} > ${toText} must have "canonical" on exactly one side`);
    }
    const pair = `${fromText}>${toText}`;
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
}
