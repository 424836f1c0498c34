/**
 * The NetSuite half of booking: the customer upserted by external id (the Salesforce Account Id)
 * and the sales order created once by external id (the Opportunity Id), so repeated attempts and
 * repeated runs book one customer and one order; and the compensation that cancels the order.
 */
import type { Customer } from '../../canonical/customer.ts';
import type { Order } from '../../canonical/order.ts';
import { closeSalesOrder } from '../../connectors/netsuite/actions/close-sales-order.ts';
import { createSalesOrder } from '../../connectors/netsuite/actions/create-sales-order.ts';
import { upsertCustomer } from '../../connectors/netsuite/actions/upsert-customer.ts';
import type { NetSuiteClient } from '../../connectors/netsuite/client.ts';
import type { OpportunityWithLines } from '../../connectors/salesforce/actions/get-opportunity.ts';
import { InterlockError } from '../../core/errors.ts';
import type { LeadToOrderConfig } from './config.ts';
import { linesOf } from './validate.ts';

/** The NetSuite sales order as the flow remembers it. */
export interface BookedOrder {
  id: string;
  /** The document number (`tranId`) shown to people and written back to Salesforce. */
  tranId: string;
  created: boolean;
}

/** Upserts the customer of the deal; answers its internal id. */
export async function upsertNetSuiteCustomer(client: NetSuiteClient, opportunity: OpportunityWithLines, customer: Customer, config: LeadToOrderConfig): Promise<string> {
  const account = opportunity.Account;
  const subsidiary = config.subsidiaries[account?.Legal_Entity__c ?? ''];
  if (account === null || subsidiary === undefined) throw new InterlockError('permanent', 'the deal was validated without an account or subsidiary');
  const currency = config.currencies[customer.currency ?? ''];
  const { id } = await upsertCustomer(client, {
    externalId: account.Id,
    fields: {
      companyName: customer.name,
      subsidiary: { id: subsidiary },
      ...(currency === undefined ? {} : { currency: { id: currency } }),
      ...(customer.email === undefined ? {} : { email: customer.email }),
      ...(customer.phone === undefined ? {} : { phone: customer.phone }),
    },
  });
  return id;
}

/** Creates the sales order for the deal, or finds the one an earlier attempt made. */
export async function bookSalesOrder(client: NetSuiteClient, opportunity: OpportunityWithLines, order: Order, customerId: string, config: LeadToOrderConfig): Promise<BookedOrder> {
  const currency = config.currencies[order.currency];
  const result = await createSalesOrder(client, {
    externalId: opportunity.Id,
    customer: { id: customerId },
    otherRefNum: opportunity.Id,
    memo: opportunity.Name,
    ...(order.orderDate === undefined ? {} : { tranDate: order.orderDate }),
    ...(currency === undefined ? {} : { currency: { id: currency } }),
    lines: linesOf(opportunity).map((line) => ({
      item: { externalId: line.Product2?.ProductCode ?? '' },
      quantity: line.Quantity,
      rate: netUnitPrice(line.UnitPrice ?? 0, line.Discount ?? 0),
      ...(line.Description === undefined || line.Description === null ? {} : { description: line.Description }),
    })),
  });
  return { id: result.order.id, tranId: result.order.tranId, created: result.created };
}

/** The unit price after the line's discount, in cents precision. */
export function netUnitPrice(unitPrice: number, discountPercent: number): number {
  return Math.round(unitPrice * (1 - discountPercent / 100) * 100) / 100;
}

/**
 * Compensation: closes the order's lines, with the reason in the memo. Where the account refuses
 * `isClosed` (older sandboxes did) the order is at least flagged in its memo, so nobody fulfils it.
 */
export async function cancelSalesOrder(client: NetSuiteClient, order: BookedOrder, reason: string): Promise<{ closed: boolean }> {
  const memo = `CANCELLED by Interlock: ${reason}`.slice(0, 999);
  try {
    await closeSalesOrder(client, { id: order.id }, memo);
    return { closed: true };
  } catch (err) {
    if (!(err instanceof InterlockError && err.code === 'validation')) throw err;
    await client.rest({ method: 'PATCH', path: `record/v1/salesOrder/${order.id}`, json: { memo } });
    return { closed: false };
  }
}
