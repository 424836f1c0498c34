/**
 * Finds the business partner Interlock keeps for a CRM account: by `BusinessPartnerIDByExtSystem`
 * (the external reference), with its customer, sales areas and addresses expanded.
 */
import { InterlockError } from '../../../core/errors.ts';
import type { SapClient } from '../client.ts';
import { collection, expanded, literal } from '../odata.ts';

/** The service of business partners and customers. */
export const BP_SERVICE = 'API_BUSINESS_PARTNER';

/** A customer sales area. */
export interface SalesArea {
  SalesOrganization: string;
  DistributionChannel: string;
  Division: string;
  Currency: string;
  CustomerPaymentTerms: string;
}

/** A business partner as the actions use it. */
export interface BusinessPartner {
  BusinessPartner: string;
  Customer: string;
  BusinessPartnerFullName: string;
  OrganizationBPName1: string;
  SearchTerm1: string;
  BusinessPartnerIDByExtSystem: string;
  etag: string | undefined;
  salesAreas: SalesArea[];
  addresses: Array<Record<string, unknown>>;
}

/** Reads the partner whose external reference is `externalRef`; undefined when none. */
export async function findBusinessPartner(client: SapClient, externalRef: string): Promise<BusinessPartner | undefined> {
  const res = await client.get(BP_SERVICE, 'A_BusinessPartner', {
    $filter: `BusinessPartnerIDByExtSystem eq ${literal(externalRef)}`,
    $expand: 'to_Customer/to_CustomerSalesArea,to_BusinessPartnerAddress',
    $top: 2,
  });
  const { results } = collection<Record<string, unknown>>(res.body);
  if (results.length > 1) throw new InterlockError('conflict', `SAP holds more than one business partner with external reference ${externalRef}`, { details: { externalRef } });
  const raw = results[0];
  return raw === undefined ? undefined : toBusinessPartner(raw);
}

/** Converts a read partner. */
export function toBusinessPartner(raw: Record<string, unknown>): BusinessPartner {
  const customer = raw['to_Customer'] as Record<string, unknown> | null | undefined;
  const meta = raw['__metadata'] as { etag?: string } | undefined;
  return {
    BusinessPartner: String(raw['BusinessPartner'] ?? ''),
    Customer: String(raw['Customer'] ?? ''),
    BusinessPartnerFullName: String(raw['BusinessPartnerFullName'] ?? ''),
    OrganizationBPName1: String(raw['OrganizationBPName1'] ?? ''),
    SearchTerm1: String(raw['SearchTerm1'] ?? ''),
    BusinessPartnerIDByExtSystem: String(raw['BusinessPartnerIDByExtSystem'] ?? ''),
    etag: meta?.etag,
    salesAreas: customer ? expanded<SalesArea>(customer['to_CustomerSalesArea']) : [],
    addresses: expanded<Record<string, unknown>>(raw['to_BusinessPartnerAddress']),
  };
}
