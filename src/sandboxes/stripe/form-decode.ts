/**
 * Decodes Stripe's form encoding: `a=1`, `metadata[k]=v`, `items[0][price]=p`, `expand[]=x`.
 * Hand-written rather than `qs` because it runs on every request and this one grammar is all
 * Stripe clients send; profiling showed `qs` as costly as the whole of Fastify on a create.
 */

/** A decoded parameter tree. */
export type FormValue = string | FormValue[] | { [key: string]: FormValue };

/** Limits that keep hostile bodies cheap. */
const MAX_PARAMS = 10_000;
const MAX_DEPTH = 10;

// Keys that would reach Object.prototype through plain objects.
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

/** Decodes `body` (also a query string) into nested objects and arrays. */
export function decodeForm(body: string): Record<string, FormValue> {
  const root: Node = {};
  if (body === '') return {};
  let count = 0;
  for (const pair of body.split('&')) {
    if (pair === '' || ++count > MAX_PARAMS) continue;
    const eq = pair.indexOf('=');
    const name = decode(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? '' : decode(pair.slice(eq + 1));
    const path = splitName(name);
    if (path === null) continue;
    assign(root, path, value);
  }
  return compactArrays(root) as Record<string, FormValue>;
}

function decode(text: string): string {
  const spaced = text.includes('+') ? text.replaceAll('+', ' ') : text;
  if (!spaced.includes('%')) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
}

// `items[0][price]` → ['items', '0', 'price']; `expand[]` → ['expand', '']; null when malformed.
function splitName(name: string): string[] | null {
  const open = name.indexOf('[');
  if (open < 0) return FORBIDDEN.has(name) || name === '' ? null : [name];
  const path = [name.slice(0, open)];
  let at = open;
  while (at < name.length) {
    if (name[at] !== '[') return null;
    const close = name.indexOf(']', at);
    if (close < 0 || path.length > MAX_DEPTH) return null;
    path.push(name.slice(at + 1, close));
    at = close + 1;
  }
  return path.some((key) => FORBIDDEN.has(key)) || path[0] === '' ? null : path;
}

// Containers are built as objects (an empty key appends) and turned into arrays at the end.
const APPEND = Symbol('append');
interface Node {
  [key: string]: unknown;
  [APPEND]?: number;
}

function assign(root: Node, path: readonly string[], value: string): void {
  let node = root;
  for (let i = 0; i < path.length; i++) {
    let key = path[i] as string;
    if (key === '') {
      const next = (node[APPEND] ?? 0) + 1;
      node[APPEND] = next;
      key = `\u0000${String(next).padStart(6, '0')}`;
    }
    if (i === path.length - 1) {
      node[key] = value;
      return;
    }
    const child = node[key];
    if (typeof child !== 'object' || child === null) node[key] = {};
    node = node[key] as Node;
  }
}

// An object whose keys are all indexes (or appends) becomes an array, in index order. Other
// objects are kept and filled in place: this runs on every request, and rebuilding each one
// (entries, a regex per key) cost more than the rest of the decoding.
function compactArrays(node: unknown): FormValue {
  if (typeof node !== 'object' || node === null) return node as string;
  const record = node as Node;
  let indexed = true;
  let empty = true;
  for (const key in record) {
    empty = false;
    record[key] = compactArrays(record[key]);
    if (indexed && !isIndexKey(key)) indexed = false;
  }
  if (empty || !indexed) {
    if (record[APPEND] !== undefined) delete record[APPEND];
    return record as { [key: string]: FormValue };
  }
  return Object.keys(record)
    .sort((a, b) => (a.startsWith('\u0000') || b.startsWith('\u0000') ? a.localeCompare(b) : Number(a) - Number(b)))
    .map((k) => record[k] as FormValue);
}

// `12` or an append slot (`\u0000000003`).
function isIndexKey(key: string): boolean {
  const first = key.charCodeAt(0);
  if (first === 0) return true;
  if (key.length === 0) return false;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}
