/**
 * A tax document from a canonical Order: its lines (extended amount, quantity, tax code, SKU)
 * and its shipping (else billing) address as the destination. Where goods ship from is not on
 * the order; the caller passes the legal entity's address.
 */
import type { Order } from '../../canonical/order.ts';
import { InterlockError } from '../../core/errors.ts';
import type { TaxAddress, TaxDocumentInput } from './types.ts';

/** Facts the order does not carry. */
export interface FromOrderOptions {
  /** The selling entity's address. */
  shipFrom: TaxAddress;
  /** @default order.customerId */
  customerCode?: string;
  /** @default order.orderDate, else today (UTC) */
  date?: string;
}

/** The tax document for `order`; `validation` when it has no destination country. */
export function taxDocumentFromOrder(order: Order, options: FromOrderOptions): TaxDocumentInput {
  const to = order.shippingAddress ?? order.billingAddress;
  if (to?.country === undefined) {
    throw new InterlockError('validation', 'the order has no shipping or billing country to calculate tax for', { details: { field: 'shippingAddress.country' } });
  }
  const shipTo: TaxAddress = { country: to.country };
  for (const k of ['line1', 'line2', 'city', 'region', 'postalCode'] as const) if (to[k] !== undefined) shipTo[k] = to[k];
  const doc: TaxDocumentInput = {
    customerCode: options.customerCode ?? order.customerId,
    date: options.date ?? order.orderDate ?? new Date().toISOString().slice(0, 10),
    currency: order.currency,
    shipFrom: options.shipFrom,
    shipTo,
    lines: order.lines.map((line) => {
      const quantity = Number(line.quantity);
      // An explicit extended amount wins; otherwise price × quantity less the discount.
      const amount = line.amount !== undefined ? Number(line.amount.amount) : Number(line.unitPrice.amount) * quantity * (1 - Number(line.discountPercent ?? 0) / 100);
      const taxCode = line.taxCode ?? order.tax?.taxCode;
      return {
        number: String(line.lineNumber),
        amount: Math.round(amount * 100) / 100,
        quantity,
        ...(taxCode === undefined ? {} : { taxCode }),
        ...(line.sku === undefined ? {} : { itemCode: line.sku }),
        ...(line.description === undefined ? {} : { description: line.description }),
      };
    }),
  };
  if (order.tax?.exemptionCertificate !== undefined) doc.exemptionNo = order.tax.exemptionCertificate;
  if (order.tax?.entityUseCode !== undefined) doc.entityUseCode = order.tax.entityUseCode;
  return doc;
}
