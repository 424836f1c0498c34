/**
 * Stripe's form encoding: nested parameters flattened into bracketed keys the way Stripe's own
 * clients send them — `metadata[key]=v`, `items[0][price]=p`, `expand[0]=latest_invoice` —
 * so the transport can send them as a flat `application/x-www-form-urlencoded` body or query.
 */
import { InterlockError } from '../../core/errors.ts';

/** A value Stripe parameters may hold; `undefined` members are left out. */
export type FormValue = string | number | boolean | null | undefined | readonly FormValue[] | { readonly [key: string]: FormValue };

/** Stripe request parameters before encoding. */
export type FormParams = { readonly [key: string]: FormValue };

/**
 * Flattens `params` into bracketed keys in insertion order. `null` becomes `''`, which Stripe
 * reads as "unset this field"; an empty object or array sends nothing.
 */
export function encodeForm(params: FormParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(params)) flatten(key, value, out);
  return out;
}

function flatten(key: string, value: FormValue, out: Record<string, string>): void {
  if (value === undefined) return;
  if (value === null) {
    out[key] = '';
  } else if (Array.isArray(value)) {
    (value as readonly FormValue[]).forEach((item, i) => flatten(`${key}[${i}]`, item, out));
  } else if (typeof value === 'object') {
    for (const [k, v] of Object.entries(value as { readonly [key: string]: FormValue })) flatten(`${key}[${k}]`, v, out);
  } else if (typeof value === 'number') {
    // Stripe takes integers in minor units; a fraction or NaN here is a caller's bug, not Stripe's.
    if (!Number.isFinite(value)) throw new InterlockError('validation', `Stripe parameter ${key} is not a finite number`, { details: { param: key } });
    out[key] = String(value);
  } else {
    out[key] = String(value);
  }
}
