/**
 * Stripe's list envelope and cursor pagination: newest first, `limit` 1–100 (default 10),
 * `starting_after` / `ending_before` taking an object id, `has_more` saying whether more remain.
 */
import { optInt, optString, type Params } from './params.ts';
import { invalidParam, resourceMissing } from './stripe-error.ts';

/** A list response. */
export interface StripeList<T> {
  object: 'list';
  data: T[];
  has_more: boolean;
  url: string;
}

/**
 * One page of `records` (given oldest first, as stored) for the request's cursor parameters.
 * `noun` names the object in the 404 for an unknown cursor, e.g. `customer`.
 */
export function paginate<T extends { id: string }>(records: readonly T[], params: Params, url: string, noun: string): StripeList<T> {
  const limit = optInt(params, 'limit', 1) ?? 10;
  if (limit > 100) throw invalidParam('limit', 'This value must be less than or equal to 100.', 'parameter_invalid_integer');
  const after = optString(params, 'starting_after');
  const before = optString(params, 'ending_before');
  const newestFirst = [...records].reverse();
  const indexOf = (id: string, param: string): number => {
    const at = newestFirst.findIndex((r) => r.id === id);
    if (at < 0) throw resourceMissing(noun, id, param);
    return at;
  };
  if (before !== undefined && before !== '') {
    const end = indexOf(before, 'ending_before');
    const start = Math.max(0, end - limit);
    return { object: 'list', data: newestFirst.slice(start, end), has_more: start > 0, url };
  }
  const start = after !== undefined && after !== '' ? indexOf(after, 'starting_after') + 1 : 0;
  const data = newestFirst.slice(start, start + limit);
  return { object: 'list', data, has_more: start + limit < newestFirst.length, url };
}
