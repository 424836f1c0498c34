/**
 * Reads what the lead-to-order flow starts from: an opportunity, its customer account, its
 * currency's ISO code and its product lines with each product's number — in one GET with
 * `$expand`, so the set is read at once (the opportunity's `versionnumber` says which edit it
 * reflects). The lines come back as `opportunityproducts` and each line's product as
 * `{productnumber, name}`: the record `mappings/opportunity-to-order.yaml` reads.
 */
import { InterlockError } from '../../../core/errors.ts';
import type { DynamicsClient } from '../client.ts';
import { guid } from './odata.ts';
import type { DynamicsRow } from './query-records.ts';

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

/** Reads an opportunity with its account, currency and lines (one GET); `not-found` when there is none. */
export async function getOpportunity(client: DynamicsClient, input: { opportunityId: string }): Promise<DynamicsOpportunity> {
  const id = guid(input.opportunityId, 'opportunityId');
  const body = (await client.api<DynamicsRow>({ method: 'GET', path: `opportunities(${id})`, query: { $select: OPPORTUNITY_COLUMNS.join(','), $expand: EXPAND } }).catch((err: unknown) => {
    if (err instanceof InterlockError && err.code === 'not-found') throw new InterlockError('not-found', `Dynamics 365 opportunity ${id} does not exist`, { details: { vendor: 'dynamics' } });
    throw err;
  })).body;
  const { customerid_account: account, transactioncurrencyid: currency, product_opportunities: lines, ...opportunity } = body;
  if (!Array.isArray(lines)) throw new InterlockError('unexpected', `Dynamics 365 answered opportunity ${id} without its expanded product_opportunities`, { details: { vendor: 'dynamics' } });
  return {
    ...opportunity,
    customerid_account: isRow(account) ? account : null,
    transactioncurrencyid: isRow(currency) ? { isocurrencycode: String(currency['isocurrencycode']) } : null,
    opportunityproducts: (lines as unknown[]).filter(isRow).map((line) => {
      const product = line['productid'];
      return { ...line, productid: isRow(product) ? { productnumber: product['productnumber'] ?? null, name: product['name'] ?? null } : null };
    }),
  } as unknown as DynamicsOpportunity;
}

// The related rows, by Dataverse's navigation property names: `customerid_account` (null when the
// customer is a contact or unset), the currency, and the lines (`product_opportunities`, the
// opportunity → opportunityproduct relationship) with each line's product.
const EXPAND = [
  `customerid_account($select=${ACCOUNT_COLUMNS.join(',')})`,
  'transactioncurrencyid($select=isocurrencycode)',
  `product_opportunities($select=${LINE_COLUMNS.join(',')};$orderby=sequencenumber asc;$expand=productid($select=productnumber,name))`,
].join(',');

function isRow(value: unknown): value is DynamicsRow {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
