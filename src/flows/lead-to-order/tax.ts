/**
 * The tax check of validation: an AvaTax estimate (a `SalesOrder`, never saved) for the order from
 * its legal entity to the customer's billing address. AvaTax refusing the document (no address,
 * an unknown country or tax code) is a problem with the deal; an outage is not, and is retried.
 */
import type { Order } from '../../canonical/order.ts';
import { estimateTax } from '../../connectors/avalara/actions/estimate-tax.ts';
import type { AvalaraClient } from '../../connectors/avalara/client.ts';
import { taxDocumentFromOrder } from '../../connectors/avalara/from-order.ts';
import type { TaxAddress } from '../../connectors/avalara/types.ts';
import { InterlockError } from '../../core/errors.ts';

/** The estimate's outcome: the tax, or what is wrong with the deal's tax attributes. */
export type TaxCheck = { ok: true; totalTax: number; currency: string } | { ok: false; problem: string };

/** Estimates the tax of `order` shipped from `shipFrom`. */
export async function checkTax(avalara: AvalaraClient, order: Order, shipFrom: TaxAddress): Promise<TaxCheck> {
  try {
    const estimate = await estimateTax(avalara, taxDocumentFromOrder(order, { shipFrom }));
    return { ok: true, totalTax: estimate.totalTax, currency: estimate.currencyCode };
  } catch (err) {
    if (err instanceof InterlockError && err.code === 'validation') {
      // The salesperson needs AvaTax's reason, not the HTTP request that carried it.
      const reason = err.message.replace(/^Avalara \S+ \S+ answered \d+: /, '');
      return { ok: false, problem: `AvaTax could not calculate tax for this deal: ${reason}` };
    }
    throw err;
  }
}
