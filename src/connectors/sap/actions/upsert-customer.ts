/**
 * Creates or updates the business partner (organisation, customer role) of a CRM account. SAP has
 * no upsert: the partner is looked up by its external reference; a found one gets its names
 * changed with `If-Match` (a stale ETag is re-read once) and any missing sales area added; none
 * found → one deep insert of partner, address, roles, customer and sales area. A create whose
 * answer was lost is found by the same lookup, so a retry never makes a second partner.
 */
import { InterlockError } from '../../../core/errors.ts';
import type { SapClient } from '../client.ts';
import { entityPath } from '../odata.ts';
import { BP_SERVICE, findBusinessPartner, type BusinessPartner } from './business-partner.ts';

/** The customer to hold in SAP. */
export interface CustomerInput {
  /** The CRM account reference (`BusinessPartnerIDByExtSystem`, max 20 characters). */
  externalRef: string;
  name: string;
  /** Search term; @default externalRef */
  searchTerm?: string;
  address?: { street?: string; city?: string; postalCode?: string; country: string; region?: string };
  /** Sales area and its terms. */
  salesArea: { salesOrganization: string; distributionChannel: string; division: string; currency: string; paymentTerms?: string };
}

/** The partner and whether this call created it. */
export interface UpsertCustomerResult {
  businessPartner: BusinessPartner;
  created: boolean;
}

/** Creates or updates the customer. */
export async function upsertCustomer(client: SapClient, input: CustomerInput): Promise<UpsertCustomerResult> {
  if (input.externalRef.length === 0 || input.externalRef.length > 20) throw new InterlockError('validation', 'externalRef must have 1 to 20 characters (BusinessPartnerIDByExtSystem)', { details: { path: 'externalRef' } });
  const existing = await findBusinessPartner(client, input.externalRef);
  if (existing !== undefined) return { businessPartner: await update(client, existing, input), created: false };
  try {
    await client.request({ method: 'POST', service: BP_SERVICE, path: 'A_BusinessPartner', json: createBody(input) });
  } catch (err) {
    // A lost answer may hide a partner that now exists; a refusal for bad data does not.
    if (err instanceof InterlockError && (err.code === 'validation' || err.code === 'auth')) throw err;
    const found = await findBusinessPartner(client, input.externalRef);
    if (found === undefined) throw err;
    return { businessPartner: found, created: true };
  }
  const created = await findBusinessPartner(client, input.externalRef);
  if (created === undefined) throw new InterlockError('unexpected', `SAP created business partner ${input.externalRef} but does not find it`);
  return { businessPartner: created, created: true };
}

function createBody(input: CustomerInput): Record<string, unknown> {
  const a = input.salesArea;
  return {
    BusinessPartnerCategory: '2',
    BusinessPartnerGrouping: 'BP02',
    OrganizationBPName1: input.name.slice(0, 40),
    ...(input.name.length > 40 ? { OrganizationBPName2: input.name.slice(40, 80) } : {}),
    SearchTerm1: (input.searchTerm ?? input.externalRef).slice(0, 20).toUpperCase(),
    BusinessPartnerIDByExtSystem: input.externalRef,
    Language: 'EN',
    to_BusinessPartnerRole: [{ BusinessPartnerRole: 'FLCU00' }, { BusinessPartnerRole: 'FLCU01' }],
    ...(input.address === undefined
      ? {}
      : { to_BusinessPartnerAddress: [{ AddressID: '1', Country: input.address.country, CityName: input.address.city ?? '', StreetName: input.address.street ?? '', PostalCode: input.address.postalCode ?? '', Region: input.address.region ?? '' }] }),
    to_Customer: { to_CustomerSalesArea: [{ SalesOrganization: a.salesOrganization, DistributionChannel: a.distributionChannel, Division: a.division, Currency: a.currency, CustomerPaymentTerms: a.paymentTerms ?? '0001' }] },
  };
}

async function update(client: SapClient, existing: BusinessPartner, input: CustomerInput): Promise<BusinessPartner> {
  let current = existing;
  const name = input.name.slice(0, 40);
  if (current.OrganizationBPName1 !== name) {
    const path = entityPath('A_BusinessPartner', current.BusinessPartner);
    for (let attempt = 0; ; attempt++) {
      try {
        await client.request({ method: 'PATCH', service: BP_SERVICE, path, ifMatch: current.etag ?? '*', json: { OrganizationBPName1: name } });
        break;
      } catch (err) {
        // Someone changed the partner since it was read: read it again and apply the change once more.
        if (!(err instanceof InterlockError) || err.details?.['status'] !== 412 || attempt > 0) throw err;
        current = (await findBusinessPartner(client, input.externalRef)) ?? current;
      }
    }
  }
  const a = input.salesArea;
  const has = current.salesAreas.some((s) => s.SalesOrganization === a.salesOrganization && s.DistributionChannel === a.distributionChannel && s.Division === a.division);
  if (!has && current.Customer !== '') {
    await client.request({
      method: 'POST', service: BP_SERVICE, path: `${entityPath('A_Customer', current.Customer)}/to_CustomerSalesArea`,
      json: { SalesOrganization: a.salesOrganization, DistributionChannel: a.distributionChannel, Division: a.division, Currency: a.currency, CustomerPaymentTerms: a.paymentTerms ?? '0001' },
    });
  }
  return (await findBusinessPartner(client, input.externalRef)) ?? current;
}
