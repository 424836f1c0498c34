/**
 * The run-time pieces of a compiled mapping: the per-record context and the failure a rule raises
 * (shared by both back ends), and the builders with which the closures back end (interpret.ts)
 * assembles objects and lists from field producers.
 */
import type { XrefCache, XrefRequest } from './xref.ts';

/** State of mapping one record. */
export interface RecordContext {
  /** The record being mapped (bound as `$record` in expressions). */
  root: unknown;
  /** Cross-reference answers for this run. */
  readonly xref: XrefCache;
  /** Lookups that were not in the cache; when non-empty the output is incomplete. */
  misses: XrefRequest[];
  /** 1-based position of the element an `each` is mapping (`$position`); 0 outside lists. */
  position: number;
}

/** A compiled producer: returns the value, or a promise of it when the rule needs an expression. */
export type Producer = (source: unknown, ctx: RecordContext) => unknown;

/** A producer plus whether it may return a promise. */
export interface Compiled {
  /** The producer. */
  readonly fn: Producer;
  /** Whether `fn` may return a promise (the rule or one below it uses an expression). */
  readonly async: boolean;
}

/**
 * A rule failed for a record. `path` is the target field path, filled in on the way out; `rule`
 * names the part of the rule that refused the value.
 */
export class FieldFailure extends Error {
  /** Target field path, innermost segment last. */
  readonly path: Array<string | number> = [];
  /** The rule that refused the value, e.g. `map: stage`. */
  readonly rule: string;
  /** A failure of `rule` with a message about the value. */
  constructor(rule: string, message: string) {
    super(message);
    this.name = 'FieldFailure';
    this.rule = rule;
  }
}

/** One target field and the producer of its value. */
export interface Entry {
  /** Target key. */
  readonly key: string;
  /** Producer of the value. */
  readonly compiled: Compiled;
}

/**
 * Builds an object (or, with `asArray`, a fixed array) from entries. Null and undefined values are
 * omitted: vendors send null for empty fields, and canonical objects leave absent fields out.
 */
export function build(entries: readonly Entry[], asArray = false): Compiled {
  const n = entries.length;
  const keys = entries.map((e) => e.key);
  const fns = entries.map((e) => e.compiled.fn);
  if (!entries.some((e) => e.compiled.async)) {
    // One try around the loop, not one per field: the failing index is still known.
    if (asArray) {
      return {
        async: false,
        fn: (s, ctx) => {
          const out: unknown[] = [];
          let i = 0;
          try {
            for (; i < n; i++) {
              const v = (fns[i] as Producer)(s, ctx);
              if (v !== undefined && v !== null) out.push(v);
            }
          } catch (err) {
            if (err instanceof FieldFailure) err.path.unshift(i);
            throw err;
          }
          return out;
        },
      };
    }
    return {
      async: false,
      fn: (s, ctx) => {
        const out: Record<string, unknown> = {};
        let any = false;
        let i = 0;
        try {
          for (; i < n; i++) {
            const v = (fns[i] as Producer)(s, ctx);
            if (v !== undefined && v !== null) {
              out[keys[i] as string] = v;
              any = true;
            }
          }
        } catch (err) {
          if (err instanceof FieldFailure) err.path.unshift(keys[i] as string);
          throw err;
        }
        return any ? out : undefined;
      },
    };
  }
  return {
    async: true,
    fn: async (s, ctx) => {
      const out: Record<string, unknown> | unknown[] = asArray ? [] : {};
      let any = false;
      for (let i = 0; i < n; i++) {
        let v: unknown;
        try {
          v = await (fns[i] as Producer)(s, ctx);
        } catch (err) {
          if (err instanceof FieldFailure) err.path.unshift(asArray ? i : (keys[i] as string));
          throw err;
        }
        if (v !== undefined && v !== null) {
          if (asArray) (out as unknown[]).push(v);
          else (out as Record<string, unknown>)[keys[i] as string] = v;
          any = true;
        }
      }
      return any || asArray ? out : undefined;
    },
  };
}

/** Maps every element of a source array with `element`; a missing array gives an empty list. */
export function each(get: (s: unknown) => unknown, element: Compiled): Compiled {
  const one = element.fn;
  const check = (arr: unknown): unknown[] => {
    if (arr === undefined || arr === null) return [];
    if (!Array.isArray(arr)) throw new FieldFailure('each', 'is not a list');
    return arr;
  };
  const at = (err: unknown, i: number): never => {
    if (err instanceof FieldFailure) err.path.unshift(i);
    throw err;
  };
  if (!element.async) {
    return {
      async: false,
      fn: (s, ctx) => {
        const arr = check(get(s));
        const out = new Array<unknown>(arr.length);
        const outer = ctx.position;
        for (let i = 0; i < arr.length; i++) {
          ctx.position = i + 1;
          try {
            out[i] = one(arr[i], ctx) ?? {};
          } catch (err) {
            at(err, i);
          }
        }
        ctx.position = outer;
        return out;
      },
    };
  }
  return {
    async: true,
    fn: async (s, ctx) => {
      const arr = check(get(s));
      const out = new Array<unknown>(arr.length);
      const outer = ctx.position;
      for (let i = 0; i < arr.length; i++) {
        ctx.position = i + 1;
        try {
          out[i] = (await one(arr[i], ctx)) ?? {};
        } catch (err) {
          at(err, i);
        }
      }
      ctx.position = outer;
      return out;
    },
  };
}
