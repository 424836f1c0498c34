/**
 * Reads what the lead-to-order flow starts from: an opportunity, its customer account, its
 * currency's ISO code and its product lines with each product's number — assembled from four
 * small queries (the rows are read by id, so the set is consistent unless edited in between;
 * the opportunity's `versionnumber` says which edit the result reflects). The result nests them
 * the way `$expand` would, which is what `mappings/opportunity-to-order.yaml` reads.
 */
import { InterlockError } from '../../../core/errors.ts';
import type { DynamicsClient } from '../client.ts';
import { guid } from './odata.ts';
import { queryRecords, type DynamicsRow } from './query-records.ts';

/** An opportunity with its account, currency and lines. */
export interface DynamicsOpportunity extends DynamicsRow {
  opportunityid: string;
  name: string;
  statecode: number;
  statuscode: number;
  versionnumber: number;
  /** The customer account (null when the customer is a contact or unset). */
  customerid_account: DynamicsRow | null;
  transactioncurrencyid: { isocurrencycode: string } | null;
  /** Lines in `sequencenumber` order, each with `productid` = `{productnumber, name}`. */
  opportunityproducts: DynamicsRow[];
}

/** Opportunity columns read. */
export const OPPORTUNITY_COLUMNS = [
  'opportunityid', 'name', 'statecode', 'statuscode', 'estimatedclosedate', 'actualclosedate', 'estimatedvalue', 'actualvalue', 'totalamount',
  'totallineitemamount', 'discountamount', 'totaltax', 'description', 'versionnumber', 'modifiedon', '_customerid_value', '_transactioncurrencyid_value',
  '_pricelevelid_value', 'il_integrationstatus', 'il_erpordernumber',
];
/** Account columns read. */
export const ACCOUNT_COLUMNS = [
  'accountid', 'name', 'accountnumber', 'telephone1', 'emailaddress1', 'websiteurl', 'creditlimit', 'creditonhold', 'il_taxid', 'il_erpcustomerid',
  'address1_line1', 'address1_line2', 'address1_city', 'address1_stateorprovince', 'address1_postalcode', 'address1_country',
  'address2_line1', 'address2_city', 'address2_postalcode', 'address2_country', 'versionnumber', '_parentaccountid_value', '_transactioncurrencyid_value',
];
const LINE_COLUMNS = [
  'opportunityproductid', 'quantity', 'priceperunit', 'baseamount', 'extendedamount', 'manualdiscountamount', 'tax', 'productdescription',
  'lineitemnumber', 'sequencenumber', 'isproductoverridden', '_productid_value', '_uomid_value',
];

/** Reads an opportunity with its account, currency and lines; `not-found` when there is none. */
export async function getOpportunity(client: DynamicsClient, input: { opportunityId: string }): Promise<DynamicsOpportunity> {
  const id = guid(input.opportunityId, 'opportunityId');
  const opportunity = (await client.api<DynamicsRow>({ method: 'GET', path: `opportunities(${id})`, query: { $select: OPPORTUNITY_COLUMNS.join(',') } }).catch((err: unknown) => {
    if (err instanceof InterlockError && err.code === 'not-found') throw new InterlockError('not-found', `Dynamics 365 opportunity ${id} does not exist`, { details: { vendor: 'dynamics' } });
    throw err;
  })).body;
  const [account, currency, lines] = await Promise.all([
    readOptional(client, 'accounts', opportunity['_customerid_value'], ACCOUNT_COLUMNS),
    readOptional(client, 'transactioncurrencies', opportunity['_transactioncurrencyid_value'], ['isocurrencycode']),
    collect(queryRecords(client, { entitySet: 'opportunityproducts', select: LINE_COLUMNS, filter: `_opportunityid_value eq ${id}`, orderBy: ['sequencenumber asc'] })),
  ]);
  const productIds = [...new Set(lines.map((l) => l['_productid_value']).filter((p): p is string => typeof p === 'string'))];
  const products = productIds.length === 0 ? [] : await collect(queryRecords(client, { entitySet: 'products', select: ['productid', 'productnumber', 'name'], filter: productIds.map((p) => `productid eq ${guid(p, 'productid')}`).join(' or ') }));
  const byId = new Map(products.map((p) => [p['productid'], { productnumber: p['productnumber'] ?? null, name: p['name'] ?? null }]));
  return {
    ...opportunity,
    customerid_account: account,
    transactioncurrencyid: currency === null ? null : { isocurrencycode: String(currency['isocurrencycode']) },
    opportunityproducts: lines.map((l) => ({ ...l, productid: byId.get(l['_productid_value']) ?? null })),
  } as unknown as DynamicsOpportunity;
}

// A lookup's target, or null when the lookup is empty or points at another table (a contact customer).
async function readOptional(client: DynamicsClient, set: string, id: unknown, columns: readonly string[]): Promise<DynamicsRow | null> {
  if (typeof id !== 'string') return null;
  try {
    return (await client.api<DynamicsRow>({ method: 'GET', path: `${set}(${guid(id, set)})`, query: { $select: columns.join(',') } })).body;
  } catch (err) {
    if (err instanceof InterlockError && err.code === 'not-found') return null;
    throw err;
  }
}

async function collect<T>(rows: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const row of rows) out.push(row);
  return out;
}
