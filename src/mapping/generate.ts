/**
 * Compiles a mapping plan into one specialised JavaScript function, as ajv and fast-json-stringify
 * do for schemas: paths become inline property reads, every rule's steps are inlined in order,
 * lists become plain loops, and a record allocates nothing but its output.
 *
 * Safe by construction: the only text taken from a mapping file that reaches the generated source
 * is target keys, path segments, template text and rule names, and each goes in as a string literal
 * written by `JSON.stringify`; every other value (defaults, constants, value maps, expressions) is
 * passed in as data. Its behaviour is the closures' (interpret.ts) to the letter, failures
 * included, which a differential test checks.
 */
import { CONVERTERS, ConversionError } from './convert.ts';
import { FieldFailure } from './builders.ts';
import type { Compiled } from './builders.ts';
import type { MappingPlan, ObjectPlan, PathPlan, PostPlan, RulePlan, SourcePlan } from './plan.ts';

/** Where a field sits in its frame (the record, or a list element), for failures. */
interface FieldSite {
  readonly path: ReadonlyArray<string | number>;
  readonly as: string | undefined;
}

/** Gives a failure at `site` its rule and path; anything else passes through unchanged. */
function located(err: unknown, site: FieldSite | undefined): unknown {
  if (site === undefined) return err;
  let e = err;
  if (e instanceof ConversionError && site.as !== undefined) e = new FieldFailure(`as: ${site.as}`, e.message);
  if (e instanceof FieldFailure) e.path.unshift(...site.path);
  return e;
}

/** {@link located}, then the element's index in its list. */
function inList(err: unknown, site: FieldSite | undefined, index: number): unknown {
  const e = located(err, site);
  if (e instanceof FieldFailure) e.path.unshift(index);
  return e;
}

const lit = (text: string): string => JSON.stringify(text);

/** Fields of an object that one of its literals may hold; the code grows with its square. */
const LITERAL_PREFIX = 16;

/** One frame: the record, or the element of a list, with its own failure site variable. */
interface Frame {
  /** Variable holding the frame's source object. */
  readonly src: string;
  /** Variable holding the index of the field being computed. */
  readonly site: string;
  /** Expression of `$position` in this frame. */
  readonly position: string;
}

class Generator {
  readonly #values: unknown[] = [];
  readonly sites: FieldSite[] = [];
  #names = 0;
  readonly #await: string;

  constructor(async: boolean) {
    this.#await = async ? 'await ' : '';
  }

  /** The values the code refers to, `K0`, `K1`…, in order. */
  get values(): unknown[] {
    return this.#values;
  }

  /** Declarations of every value the code refers to, as `const K0 = k[0];` lines. */
  get prelude(): string {
    return this.#values.map((_, i) => `const K${i} = k[${i}];`).join('\n');
  }

  value(v: unknown): string {
    this.#values.push(v);
    return `K${this.#values.length - 1}`;
  }

  name(prefix: string): string {
    return `${prefix}${this.#names++}`;
  }

  /** Code reading `path` from variable `base` into `v`; a function found on the way reads as absent. */
  path(base: string, path: PathPlan): string {
    let code = `v = ${base};`;
    for (const seg of path) {
      const key = typeof seg === 'number' ? String(seg) : lit(seg);
      code += `\nv = v == null ? undefined : v[${key}]; if (typeof v === 'function') v = undefined;`;
    }
    return code;
  }

  /**
   * Code building `plan` into a new variable, whose name is returned with the code. Values are
   * computed first, in order; the object is then made by one literal holding the longest run of
   * present values from the start, and the rest are added one by one. A literal gets its
   * properties in the object itself, where adding them one by one to `{}` grows a separate store
   * twice or three times over: the outputs of a batch are most of what the garbage collector moves.
   */
  object(plan: ObjectPlan, frame: Frame, at: ReadonlyArray<string | number>): { code: string; result: string } {
    const o = this.name('o');
    const values = plan.entries.map(() => this.name('p'));
    const lines = [`let ${o};`, values.length > 0 ? `let ${values.join(', ')};` : ''];
    plan.entries.forEach((e, i) => {
      lines.push(this.rule(e.rule, frame, [...at, plan.asArray ? i : e.key]), `${values[i]} = v;`);
    });
    const present = (i: number): string => `${values[i]} != null`;
    const all = values.map((_, i) => present(i)).join(' && ') || 'true';
    if (plan.asArray) {
      const push = values.map((p, i) => `if (${present(i)}) ${o}.push(${p});`).join(' ');
      lines.push(`if (${all}) ${o} = [${values.join(', ')}]; else { ${o} = []; ${push} }`);
      return { code: lines.join('\n'), result: o };
    }
    const keys = plan.entries.map((e) => lit(e.key));
    const literal = (n: number): string => `{ ${keys.slice(0, n).map((k, i) => `${k}: ${values[i]}`).join(', ')} }`;
    const rest = (from: number): string =>
      keys.slice(from).map((k, j) => `if (${present(from + j)}) ${o}[${k}] = ${values[from + j]};`).join(' ');
    // Long objects get the literal for their first fields only, to keep the code linear in size.
    const upTo = Math.min(values.length, LITERAL_PREFIX);
    for (let n = 0; n < upTo; n++) lines.push(`${n === 0 ? '' : 'else '}if (!(${present(n)})) { ${o} = ${literal(n)}; ${rest(n + 1)} }`);
    lines.push(`${upTo === 0 ? '' : 'else '}{ ${o} = ${literal(upTo)}; ${rest(upTo)} }`);
    // An object with no field at all is absent.
    const any = values.map((_, i) => present(i)).join(' || ') || 'false';
    return { code: lines.join('\n'), result: `(${any} ? ${o} : undefined)` };
  }

  /** Code computing one rule into `v`. */
  rule(rule: RulePlan, frame: Frame, at: ReadonlyArray<string | number>): string {
    const site = this.sites.push({ path: at, as: rule.post?.as }) - 1;
    const mark = `${frame.site} = ${site};`;
    const source = this.source(rule.source, frame, at);
    if (rule.post === undefined) return `${mark}\n${source}`;
    // A composite value's own steps run after its fields, which moved the failure site.
    const again = rule.source.kind === 'object' || rule.source.kind === 'each' ? mark : '';
    return `${mark}\n${source}\n${again}\n${this.post(rule.post)}`;
  }

  source(s: SourcePlan, frame: Frame, at: ReadonlyArray<string | number>): string {
    switch (s.kind) {
      case 'position':
        return `v = ${frame.position};`;
      case 'path':
        return this.path(s.fromRecord ? 'r' : frame.src, s.path);
      case 'const':
        return `v = ${this.value(s.value)};`;
      case 'template':
        return this.template(s.parts, frame);
      case 'expr':
        return `v = ${this.#await}${this.value(s.expr)}.evaluate(${frame.src}, { record: r });`;
      case 'object': {
        const { code, result } = this.object(s.object, frame, at);
        return `${code}\nv = ${result};`;
      }
      case 'each':
        return this.each(s.path, s.element, frame);
    }
  }

  template(parts: ReadonlyArray<string | PathPlan>, frame: Frame): string {
    const label = this.name('T');
    const t = this.name('t');
    const lines = [`${label}: { let ${t} = "";`];
    for (const p of parts) {
      if (typeof p === 'string') {
        if (p !== '') lines.push(`${t} += ${lit(p)};`);
        continue;
      }
      lines.push(this.path(frame.src, p), `if (v == null) { v = undefined; break ${label}; }`, `${t} += String(v);`);
    }
    lines.push(`v = ${t}; }`);
    return lines.join('\n');
  }

  each(path: PathPlan, element: ObjectPlan, frame: Frame): string {
    const [list, out, i, e, g] = [this.name('l'), this.name('out'), this.name('i'), this.name('e'), this.name('g')];
    const inner: Frame = { src: e, site: g, position: `(${i} + 1)` };
    const body = this.object(element, inner, []);
    return [
      this.path(frame.src, path),
      `if (v == null) v = [];`,
      `else if (!Array.isArray(v)) throw new FF("each", "is not a list");`,
      `else { const ${list} = v; const ${out} = new Array(${list}.length); let ${g} = -1;`,
      `for (let ${i} = 0; ${i} < ${list}.length; ${i}++) { const ${e} = ${list}[${i}];`,
      `try {\n${body.code}\n${out}[${i}] = ${body.result} ?? {}; } catch (err) { throw inList(err, S[${g}], ${i}); } }`,
      `v = ${out}; }`,
    ].join('\n');
  }

  /** Default, lookup, value map, conversion, required: in that order, as interpret.ts applies them. */
  post(p: PostPlan): string {
    const label = this.name('P');
    const x = this.name('x');
    const lines = [`${label}: {`];
    if (p.lookup !== undefined) lines.push(`const ${x} = v;`);
    lines.push('if (v == null) {');
    if (p.hasDefault) lines.push(`v = ${this.value(p.defaultValue)};`);
    else {
      if (p.required) lines.push(`if (ctx.misses.length === 0) throw new FF("required", "is required but missing");`);
      lines.push(`v = undefined; break ${label};`);
    }
    lines.push('}');
    if (p.lookup !== undefined) {
      const pair = lit(p.lookup);
      const [k, h] = [this.name('k'), this.name('h')];
      lines.push(
        `if (v != null) { const ${k} = typeof v === 'string' ? v : String(v); const ${h} = ctx.xref.get(${pair}, ${k});`,
        `if (${h} === undefined) { ctx.misses.push({ pair: ${pair}, value: ${k} }); v = undefined; } else v = ${h}; }`,
        `if (v === undefined) break ${label};`,
        p.required
          ? `if (v === null) throw new FF(${lit(`lookup: ${p.lookup}`)}, "no cross-reference for " + JSON.stringify(${x}));`
          : `if (v === null) { v = undefined; break ${label}; }`,
      );
    }
    if (p.map !== undefined) {
      const h = this.name('h');
      const miss =
        p.map.fallback !== undefined
          ? `v = ${this.value(p.map.fallback)};`
          : `throw new FF(${lit(`map: ${p.map.name}`)}, JSON.stringify(v) + ${lit(` is not in value map "${p.map.name}"`)});`;
      lines.push(`{ const ${h} = ${this.value(p.map.table)}.get(typeof v === 'string' ? v : String(v)); if (${h} !== undefined) v = ${h}; else ${miss} }`);
    }
    if (p.as !== undefined) lines.push(`v = ${this.value(CONVERTERS[p.as])}(v);`);
    lines.push('}');
    return lines.join('\n');
  }
}

/** The generated source of a plan, and the data it is called with. */
export interface GeneratedSource {
  /** The body of a factory `(k, S, FF, located, inList) => mapRecord`. */
  readonly source: string;
  /** `k`: the values the code refers to. */
  readonly values: readonly unknown[];
  /** `S`: the failure sites, by index. */
  readonly sites: readonly FieldSite[];
}

/** The source text of the function mapping one record, and the values it refers to. */
export function generateSource(plan: MappingPlan): GeneratedSource {
  const gen = new Generator(plan.async);
  const top: Frame = { src: 'r', site: 'f', position: 'ctx.position' };
  const { code, result } = gen.object(plan.top, top, []);
  const lines = [`let v; let f = -1; let out;`, `try {\n${code}\nout = ${result};\n} catch (err) { throw located(err, S[f]); }`];
  if (plan.extra !== undefined) {
    const consumed = gen.value(plan.extra.consumed);
    lines.push(
      `if (r !== null && typeof r === 'object') { let ex;`,
      // A key named __proto__ (JSON.parse makes it an own key) is defined, never assigned: assigning it would set the prototype.
      `for (const key in r) if (Object.hasOwn(r, key) && !${consumed}.has(key)) {`,
      `if (key === '__proto__') Object.defineProperty(ex ??= {}, key, { value: r[key], enumerable: true, writable: true, configurable: true });`,
      `else (ex ??= {})[key] = r[key]; }`,
      `if (ex !== undefined) out[${lit(plan.extra.key)}] = ex; }`,
    );
  }
  lines.push('return out;');
  const fn = `return ${plan.async ? 'async ' : ''}function mapRecord(r, ctx) {\n${lines.join('\n')}\n};`;
  return { source: `'use strict';\n${gen.prelude}\n${fn}`, values: gen.values, sites: gen.sites };
}

/**
 * The mapping of `plan` as one generated function, or undefined where the host forbids code
 * generation from strings (then the closures of interpret.ts run instead).
 */
export function generate(plan: MappingPlan): Compiled | undefined {
  const { source, values, sites } = generateSource(plan);
  let factory: (...args: unknown[]) => Compiled['fn'];
  try {
    factory = new Function('k', 'S', 'FF', 'located', 'inList', source) as typeof factory;
  } catch (err) {
    if (err instanceof EvalError) return undefined;
    throw err;
  }
  return { async: plan.async, fn: factory(values, sites, FieldFailure, located, inList) };
}
