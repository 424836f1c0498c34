/**
 * Source paths (`Account.Name`, `lines[0].sku`, `data.object.id`) compiled to plain property
 * access. A path is parsed once; reading it per record is a few property loads, with no string
 * work. Segments that reach the JavaScript prototype chain are refused when the mapping compiles.
 */
import { validationError } from '../core/errors.ts';

/** Path segments a mapping may never name: they reach the prototype chain, not data. */
export const FORBIDDEN_SEGMENTS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** Reads a value from a source object. */
export type Getter = (source: unknown) => unknown;

/** Splits `a.b[0].c` into `['a', 'b', 0, 'c']`, refusing empty and forbidden segments. */
export function parsePath(path: string): Array<string | number> {
  const segments: Array<string | number> = [];
  for (const part of path.split('.')) {
    const match = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part);
    if (match === null || (match[1] === '' && match[2] === '')) {
      throw validationError(`invalid path "${path}"`);
    }
    if (match[1] !== '') segments.push(match[1] ?? '');
    for (const index of (match[2] ?? '').matchAll(/\[(\d+)\]/g)) segments.push(Number(index[1]));
  }
  for (const s of segments) {
    if (typeof s === 'string' && FORBIDDEN_SEGMENTS.has(s)) {
      throw validationError(`path "${path}" names the forbidden segment "${s}"`);
    }
  }
  return segments;
}

// Data decoded from JSON holds no functions, so a function can only come from the prototype chain
// (`toString`, `valueOf`): it is never a field and reads as absent.
function step(value: unknown, key: string | number): unknown {
  if (value === null || value === undefined) return undefined;
  const v = (value as Record<string | number, unknown>)[key];
  return typeof v === 'function' ? undefined : v;
}

/** Compiles a path to a getter; short paths get unrolled closures because they are the common case. */
export function compileGetter(path: string): Getter {
  return getterOf(parsePath(path));
}

/** A getter for path segments already parsed (and so checked) by {@link parsePath}. */
export function getterOf(segs: ReadonlyArray<string | number>): Getter {
  const [a, b] = segs;
  if (segs.length === 1 && a !== undefined) {
    return (s) => {
      if (s === null || s === undefined) return undefined;
      const v = (s as Record<string | number, unknown>)[a];
      return typeof v === 'function' ? undefined : v;
    };
  }
  if (segs.length === 2 && a !== undefined && b !== undefined) return (s) => step(step(s, a), b);
  return (s) => {
    let v = s;
    for (const key of segs) v = step(v, key);
    return v;
  };
}
