/**
 * Parses the resource paths of the Web API: `accounts`, `accounts(<guid>)`,
 * `accounts(accountnumber='A-1')`, composite `(k1='x',k2=2)`, and reference values of
 * `@odata.bind` (`/accounts(<guid>)`, absolute URLs included).
 */
import { badRequest } from './errors.ts';

/** A record key: its primary id, or alternate-key column values. */
export type RecordKey = { kind: 'id'; id: string } | { kind: 'alternate'; values: Record<string, string | number> };

/** A parsed resource segment: an entity set name with an optional key. */
export interface ResourcePath {
  set: string;
  key?: RecordKey;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `value` is a GUID. */
export function isGuid(value: string): boolean {
  return GUID.test(value);
}

/** Parses `set` or `set(key)`; a malformed key is a 400. */
export function parseResource(segment: string): ResourcePath {
  const open = segment.indexOf('(');
  if (open < 0) return { set: segment };
  if (!segment.endsWith(')')) throw badRequest(`Bad Request - Error in query syntax: '${segment}'.`);
  return { set: segment.slice(0, open), key: parseKey(segment.slice(open + 1, -1)) };
}

/** Parses the inside of a key's parentheses. */
export function parseKey(text: string): RecordKey {
  const trimmed = text.trim();
  if (isGuid(trimmed)) return { kind: 'id', id: trimmed.toLowerCase() };
  const values: Record<string, string | number> = {};
  let rest = trimmed;
  while (rest.length > 0) {
    const match = /^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*/.exec(rest);
    if (match?.[1] === undefined) throw badRequest(`Bad Request - Error in query syntax: invalid key '${text}'.`);
    rest = rest.slice(match[0].length);
    let value: string | number;
    if (rest.startsWith("'")) {
      let end = 1;
      let out = '';
      for (;;) {
        const quote = rest.indexOf("'", end);
        if (quote < 0) throw badRequest(`Bad Request - Error in query syntax: unterminated string in key '${text}'.`);
        out += rest.slice(end, quote);
        if (rest[quote + 1] === "'") {
          out += "'";
          end = quote + 2;
          continue;
        }
        rest = rest.slice(quote + 1);
        break;
      }
      value = out;
    } else {
      const literal = /^[^,]+/.exec(rest)?.[0]?.trim() ?? '';
      rest = rest.slice(literal.length);
      if (isGuid(literal)) value = literal.toLowerCase();
      else if (/^-?\d+(\.\d+)?$/.test(literal)) value = Number(literal);
      else throw badRequest(`Bad Request - Error in query syntax: invalid key value '${literal}'.`);
    }
    values[match[1]] = value;
    rest = rest.replace(/^\s*,\s*/, '');
  }
  return { kind: 'alternate', values };
}

/** The resource an `@odata.bind` value names: `/accounts(<guid>)`, `accounts(…)` or an absolute URL. */
export function parseBindValue(value: string): ResourcePath {
  let path = value;
  const api = /\/api\/data\/v\d+\.\d+\/(.*)$/.exec(path);
  if (api?.[1] !== undefined) path = api[1];
  path = path.replace(/^\//, '');
  const parsed = parseResource(path);
  if (parsed.key === undefined) throw badRequest(`The value '${value}' of an @odata.bind annotation does not name a record.`);
  return parsed;
}
