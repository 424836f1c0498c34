/**
 * The manufacturer story's deals, made in Dynamics 365 the way a salesperson makes them: an
 * opportunity for a seeded account on the seeded price list, with product lines, then won. Each
 * demo run makes new ones (named with the run's time), so a second `npm start` on the same data
 * books new orders instead of finding the last run's already booked.
 */
import type { DynamicsClient } from '../connectors/dynamics/client.ts';
import { entityIdOf } from '../connectors/dynamics/client.ts';
import { InterlockError } from '../core/errors.ts';
import { nameGuid } from '../sandboxes/dynamics/records.ts';

/** A deal of the manufacturer demo. */
export interface ManufacturerDeal {
  /** Short label: the customer and what is sold. */
  label: string;
  /** The seeded Dynamics account (`accountnumber`), which is SAP's business partner reference. */
  account: string;
  currency: 'EUR' | 'USD' | 'GBP';
  /** SKU and quantity per line (products of the seeded price list). */
  lines: ReadonlyArray<readonly [string, number]>;
  /** Whether the customer pays its invoice during the demo. */
  pays: boolean;
}

/** The three deals: one per seeded account (Germany, the US, the UK). */
export const MANUFACTURER_DEALS: readonly ManufacturerDeal[] = [
  { label: 'Contoso — line 3 pump retrofit', account: 'CUST-1001', currency: 'EUR', lines: [['PUMP-CP250', 4], ['MOTOR-E15', 4], ['SVC-COMMISSION', 2]], pays: false },
  { label: 'Fabrikam — cooling loop valves', account: 'CUST-1002', currency: 'USD', lines: [['VALVE-BV50', 40], ['PUMP-CP100', 1], ['SPARE-SEALKIT', 20]], pays: true },
  { label: 'Adventure Works — seal kit restock', account: 'CUST-1003', currency: 'GBP', lines: [['SPARE-SEALKIT', 50]], pays: false },
];

const ref = (set: string, name: string): string => `/${set}(${nameGuid(name)})`;

/** Creates the deal's opportunity and its lines in Dynamics; returns the opportunity id. */
export async function createManufacturerDeal(client: DynamicsClient, deal: ManufacturerDeal, suffix: string): Promise<string> {
  const made = await client.api({
    method: 'POST',
    path: 'opportunities',
    json: {
      name: `${deal.label} (${suffix})`,
      estimatedclosedate: new Date().toISOString().slice(0, 10),
      closeprobability: 90,
      isrevenuesystemcalculated: true,
      stepname: '3-Propose',
      'customerid_account@odata.bind': ref('accounts', `account:${deal.account}`),
      'parentaccountid@odata.bind': ref('accounts', `account:${deal.account}`),
      'pricelevelid@odata.bind': ref('pricelevels', 'pricelevel:list'),
      'transactioncurrencyid@odata.bind': ref('transactioncurrencies', `currency:${deal.currency}`),
    },
  });
  const id = entityIdOf(made);
  if (id === undefined) throw new InterlockError('unexpected', `Dynamics did not say which opportunity it made for ${deal.label}`);
  for (const [index, [sku, quantity]] of deal.lines.entries()) {
    await client.api({
      method: 'POST',
      path: 'opportunityproducts',
      json: {
        quantity,
        lineitemnumber: index + 1,
        sequencenumber: index + 1,
        'opportunityid@odata.bind': `/opportunities(${id})`,
        'productid@odata.bind': ref('products', `product:${sku}`),
        'uomid@odata.bind': ref('uoms', 'uom:primary'),
      },
    });
  }
  return id;
}
