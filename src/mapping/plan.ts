/**
 * Checks a mapping spec and turns it into a plan: every rule reduced to one source and the post
 * steps it uses, paths parsed, value maps built, target keys nested. Both back ends run a plan —
 * the generated function (generate.ts) and the closures (interpret.ts) — so a mapping file is
 * checked once, the same way, whichever runs it.
 */
import { InterlockError, validationError } from '../core/errors.ts';
import { compileExpression } from './expression.ts';
import type { CompiledExpression, ExpressionLimits } from './expression.ts';
import { FORBIDDEN_SEGMENTS, parsePath } from './path.ts';
import type { Conversion, FieldRule, FieldRuleObject, MappingSpec, ValueMap } from './spec.ts';
import { CANONICAL_SYSTEM, parseEnd } from './xref.ts';

/** A parsed source path, e.g. `['lines', 0, 'sku']`. */
export type PathPlan = ReadonlyArray<string | number>;

/** Where a rule's value comes from. */
export type SourcePlan =
  | { readonly kind: 'path'; readonly path: PathPlan; readonly fromRecord: boolean }
  | { readonly kind: 'position' }
  | { readonly kind: 'const'; readonly value: unknown }
  | { readonly kind: 'template'; readonly parts: ReadonlyArray<string | PathPlan> }
  | { readonly kind: 'expr'; readonly expr: CompiledExpression }
  | { readonly kind: 'each'; readonly path: PathPlan; readonly element: ObjectPlan }
  | { readonly kind: 'object'; readonly object: ObjectPlan };

/** A value map ready for lookups. */
export interface ValueMapPlan {
  /** The map's name, for failures. */
  readonly name: string;
  /** Source value (as text) → target value. */
  readonly table: ReadonlyMap<string, unknown>;
  /** Value for entries not in the table; `undefined` refuses them. */
  readonly fallback: unknown;
}

/** What a rule does to its value, in this order; absent steps are skipped. */
export interface PostPlan {
  /** Whether `default` is given (it may be `null`). */
  readonly hasDefault: boolean;
  /** The default value. */
  readonly defaultValue: unknown;
  /** The `from>to` pair of a cross-reference lookup. */
  readonly lookup: string | undefined;
  /** The value map. */
  readonly map: ValueMapPlan | undefined;
  /** The conversion. */
  readonly as: Conversion | undefined;
  /** Whether a missing value refuses the record. */
  readonly required: boolean;
}

/** One target field: its value's source and post steps (none for a plain copy). */
export interface RulePlan {
  /** Where the value comes from. */
  readonly source: SourcePlan;
  /** What is applied to it, or undefined when nothing is. */
  readonly post: PostPlan | undefined;
}

/** An object (or, with `asArray`, a fixed list) built from rules in target order. */
export interface ObjectPlan {
  /** Target keys (list indexes as text) and their rules. */
  readonly entries: ReadonlyArray<{ readonly key: string; readonly rule: RulePlan }>;
  /** Whether the entries build a list rather than an object. */
  readonly asArray: boolean;
}

/** A whole mapping, checked. */
export interface MappingPlan {
  /** The target object. */
  readonly top: ObjectPlan;
  /** Where unconsumed top-level source fields go, and which fields were consumed. */
  readonly extra: { readonly key: string; readonly consumed: ReadonlySet<string> } | undefined;
  /** Whether any rule uses an expression (and so the mapping is asynchronous). */
  readonly async: boolean;
}

/** Options for {@link planSpec}. */
export interface PlanOptions {
  /** Limits for every expression of the mapping. */
  limits?: ExpressionLimits;
}

/** Turns an error found at `key` of the file into one that names the key. */
export type Locator = (key: ReadonlyArray<string | number>, err: unknown) => InterlockError;

const RECORD_PREFIX = '$record.';
const POSITION = '$position';

/** Checks `spec` and plans it; a problem is thrown through `locate`, naming its key. */
export function planSpec(spec: MappingSpec, locate: Locator, options: PlanOptions = {}): MappingPlan {
  const consumed = new Set<string>(spec.extra?.ignore ?? []);
  const p = new Planner(spec.valueMaps ?? {}, locate, options.limits, consumed);
  const top = p.object(spec.fields, ['fields'], consumed);
  let extra: MappingPlan['extra'];
  if (spec.extra !== undefined) {
    const key = spec.extra.to;
    if (FORBIDDEN_SEGMENTS.has(key)) throw locate(['extra', 'to'], validationError(`"${key}" is forbidden`));
    extra = { key, consumed };
  }
  return { top, extra, async: p.async };
}

class Planner {
  async = false;
  readonly #maps = new Map<string, ValueMapPlan>();
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
  object(fields: Record<string, FieldRule>, at: Array<string | number>, consumed?: Set<string>): ObjectPlan {
    // Dotted target keys (`total.amount`) nest: group them by their first segment.
    const groups = new Map<string, Record<string, FieldRule>>();
    const entries: Array<{ key: string; rule: RulePlan }> = [];
    for (const [key, rule] of Object.entries(fields)) {
      const dot = key.indexOf('.');
      const head = dot < 0 ? key : key.slice(0, dot);
      if (head === '' || FORBIDDEN_SEGMENTS.has(head)) {
        throw this.#locate([...at, key], validationError(`target field "${key}" is not allowed`));
      }
      if (dot < 0) {
        entries.push({ key, rule: this.#guarded([...at, key], () => this.rule(rule, [...at, key], consumed)) });
      } else {
        const g = groups.get(head) ?? {};
        g[key.slice(dot + 1)] = rule;
        groups.set(head, g);
      }
    }
    for (const [head, sub] of groups) {
      if (entries.some((e) => e.key === head)) {
        throw this.#locate([...at, head], validationError(`target field "${head}" is given both whole and by parts`));
      }
      entries.push({ key: head, rule: { source: { kind: 'object', object: this.object(sub, at, consumed) }, post: undefined } });
    }
    return { entries, asArray: false };
  }

  #guarded(at: Array<string | number>, fn: () => RulePlan): RulePlan {
    try {
      return fn();
    } catch (err) {
      if (err instanceof InterlockError && err.details?.['file'] !== undefined) throw err;
      throw this.#locate(at, err);
    }
  }

  rule(rule: FieldRule, at: Array<string | number>, consumed: Set<string> | undefined): RulePlan {
    const r: FieldRuleObject = typeof rule === 'string' ? { from: rule } : rule;
    const sources: string[] = (['from', 'const', 'expr', 'template', 'each', 'items'] as const).filter((k) => r[k] !== undefined);
    if (r.fields !== undefined && r.each === undefined) sources.push('fields');
    if (sources.length !== 1) {
      throw validationError(`a rule needs exactly one of from, const, expr, template, each, items or fields (found ${sources.length})`);
    }
    if (r.each !== undefined && r.fields === undefined) throw validationError('"each" needs "fields"');
    const source = this.#source(r, at, consumed);
    return { source, post: this.#post(r) };
  }

  #source(r: FieldRuleObject, at: Array<string | number>, consumed: Set<string> | undefined): SourcePlan {
    const consume = (path: PathPlan): PathPlan => {
      const head = path[0];
      if (typeof head === 'string') consumed?.add(head);
      return path;
    };
    if (r.from === POSITION) return { kind: 'position' };
    if (r.from !== undefined) {
      // `$record.` reads from the whole record, e.g. the order currency from inside a line.
      if (r.from.startsWith(RECORD_PREFIX)) {
        const path = parsePath(r.from.slice(RECORD_PREFIX.length));
        this.#rootConsumed.add(String(path[0]));
        return { kind: 'path', path, fromRecord: true };
      }
      return { kind: 'path', path: consume(parsePath(r.from)), fromRecord: false };
    }
    if (r.const !== undefined) return { kind: 'const', value: r.const };
    if (r.template !== undefined) return this.#template(r.template, consume);
    if (r.expr !== undefined) {
      const expr = compileExpression(r.expr, this.#limits);
      // Whatever an expression reads counts as consumed; the field names it could touch are unknown.
      for (const name of r.expr.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? []) consumed?.add(name);
      this.async = true;
      return { kind: 'expr', expr };
    }
    if (r.each !== undefined && r.fields !== undefined) {
      const path = consume(parsePath(r.each));
      return { kind: 'each', path, element: this.object(r.fields, [...at, 'fields']) };
    }
    if (r.items !== undefined) {
      const list = r.items.map((fields, i) => this.object(fields, [...at, 'items', i], consumed));
      const entries = list.map((object, i) => ({ key: String(i), rule: { source: { kind: 'object', object } as const, post: undefined } }));
      return { kind: 'object', object: { entries, asArray: true } };
    }
    return { kind: 'object', object: this.object(r.fields ?? {}, [...at, 'fields'], consumed) };
  }

  #template(text: string, consume: (path: PathPlan) => PathPlan): SourcePlan {
    const parts: Array<string | PathPlan> = [];
    let last = 0;
    for (const m of text.matchAll(/\{([^{}]+)\}/g)) {
      parts.push(text.slice(last, m.index));
      parts.push(consume(parsePath(m[1] ?? '')));
      last = m.index + m[0].length;
    }
    parts.push(text.slice(last));
    return { kind: 'template', parts };
  }

  #valueMap(name: string, reverse: boolean): ValueMapPlan {
    const spec = this.#specMaps[name];
    if (spec === undefined) throw validationError(`no value map named "${name}"`);
    const id = `${reverse ? '~' : ''}${name}`;
    let plan = this.#maps.get(id);
    if (plan === undefined) {
      const table = new Map<string, unknown>();
      for (const [k, v] of Object.entries(spec.values)) {
        // Reversed, the first key listed for a value wins, so maps may be many-to-one.
        if (!reverse) table.set(k, v);
        else if (!table.has(String(v))) table.set(String(v), k);
      }
      plan = { name, table, fallback: reverse ? undefined : spec.default };
      this.#maps.set(id, plan);
    }
    return plan;
  }

  #post(r: FieldRuleObject): PostPlan | undefined {
    const lookup = r.lookup === undefined ? undefined : this.#lookup(r.lookup.from, r.lookup.to);
    if (r.reverse !== undefined && r.map === undefined) throw validationError('"reverse" applies only with "map"');
    const map = r.map === undefined ? undefined : this.#valueMap(r.map, r.reverse === true);
    const post: PostPlan = { hasDefault: r.default !== undefined, defaultValue: r.default, lookup, map, as: r.as, required: r.required === true };
    const none = !post.hasDefault && lookup === undefined && map === undefined && post.as === undefined && !post.required;
    return none ? undefined : post;
  }

  #lookup(fromText: string, toText: string): string {
    const from = parseEnd(fromText);
    const to = parseEnd(toText);
    if ((from.system === CANONICAL_SYSTEM) === (to.system === CANONICAL_SYSTEM)) {
      throw validationError(`lookup ${fromText} > ${toText} must have "canonical" on exactly one side`);
    }
    return `${fromText}>${toText}`;
  }
}
