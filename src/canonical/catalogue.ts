/**
 * The catalogue of every canonical contract shipped with Interlock (objects and event data), and a
 * validator compiled from them once. This is what `interlock contracts check` compares against the
 * registry and what `export` bundles.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { notFoundError } from '../core/errors.ts';
import type { CanonicalContract } from './contract.ts';
import { ContactContract } from './contact.ts';
import { CustomerContract } from './customer.ts';
import { EVENT_CONTRACTS } from './events.ts';
import { InvoiceContract } from './invoice.ts';
import { OrderContract } from './order.ts';
import { PaymentContract } from './payment.ts';
import { PriceBookEntryContract } from './price-book-entry.ts';
import { ProductContract } from './product.ts';
import { QuoteContract } from './quote.ts';
import { ShipmentContract } from './shipment.ts';
import { SubscriptionContract } from './subscription.ts';

/** Every canonical object contract. */
export const OBJECT_CONTRACTS: readonly CanonicalContract[] = [
  CustomerContract,
  ContactContract,
  ProductContract,
  PriceBookEntryContract,
  QuoteContract,
  OrderContract,
  InvoiceContract,
  SubscriptionContract,
  PaymentContract,
  ShipmentContract,
];

/** Every canonical contract: objects, then event data. */
export const CANONICAL_CONTRACTS: readonly CanonicalContract[] = [...OBJECT_CONTRACTS, ...EVENT_CONTRACTS];

/** The shipped contract for `subject`, or undefined. */
export function findContract(subject: string): CanonicalContract | undefined {
  return CANONICAL_CONTRACTS.find((c) => c.subject === subject);
}

// ajv-formats is CommonJS with a default export; under ESM the function sits on `.default`.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (
  ajv: Ajv2020,
  options: { mode: 'fast' | 'full' },
) => Ajv2020;

/**
 * A fresh JSON Schema 2020-12 validator with formats (date, date-time, email, uri…). `allErrors`
 * reports every problem (for people); without it validation stops at the first (for hot paths).
 */
export function createAjv(allErrors = true): Ajv2020 {
  const ajv = new Ajv2020({ allErrors, strict: false });
  // The hot path checks formats by pattern only ("fast"); people get the full calendar checks.
  addFormats(ajv, { mode: allErrors ? 'full' : 'fast' });
  return ajv;
}

const validators = new Map<string, ValidateFunction>();
// Hot path (every mapped record): stop at the first error.
const ajv = createAjv(false);

/** A validator for a shipped contract, compiled once per process. */
export function validatorFor(subject: string): ValidateFunction {
  let fn = validators.get(subject);
  if (fn === undefined) {
    const contract = findContract(subject);
    if (contract === undefined) throw notFoundError(`no canonical contract named "${subject}"`);
    fn = ajv.compile(contract.schema);
    validators.set(subject, fn);
  }
  return fn;
}
