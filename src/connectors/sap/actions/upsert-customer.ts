/**
 * Creates or updates the business partner (organisation with the customer role) of a CRM
 * account, from the `A_BusinessPartner` deep-insert body that `mappings/customer-to-business-
 * partner.yaml` makes. SAP has no upsert: the partner is looked up by its external reference
 * (`BusinessPartnerIDByExtSystem`); a found one gets changed names and search term with
 * `If-Match` (a stale ETag is read again once) and any missing sales area added; none found → one
 * deep insert of partner, address, roles, customer and sales areas. A create whose answer was
 * lost is found by the same lookup, so a retry never makes a second partner.
 */
import { InterlockError } from '../../../core/errors.ts';
import type { SapClient } from '../client.ts';
import { entityPath } from '../odata.ts';
import { BP_SERVICE, findBusinessPartner, type BusinessPartner } from './business-partner.ts';

/** A sales area of the body. */
export interface SalesAreaBody {
  SalesOrganization: string;
  DistributionChannel: string;
  Division: string;
  Currency?: string;
  CustomerPaymentTerms?: string;
  [property: string]: unknown;
}

/** The `A_BusinessPartner` deep-insert body. */
export interface BusinessPartnerBody {
  /** The CRM account (max 20 characters): how the partner is found again. */
  BusinessPartnerIDByExtSystem: string;
  OrganizationBPName1: string;
  OrganizationBPName2?: string;
  SearchTerm1?: string;
  to_Customer?: { to_CustomerSalesArea?: readonly SalesAreaBody[]; [property: string]: unknown };
  [property: string]: unknown;
}

/** The partner and whether this call created it. */
export interface UpsertCustomerResult {
  businessPartner: BusinessPartner;
  created: boolean;
}

const UPDATABLE = ['OrganizationBPName1', 'OrganizationBPName2', 'SearchTerm1'] as const;

/** Creates or updates the customer. */
export async function upsertCustomer(client: SapClient, body: BusinessPartnerBody): Promise<UpsertCustomerResult> {
  const ref = body.BusinessPartnerIDByExtSystem;
  if (typeof ref !== 'string' || ref === '' || ref.length > 20) {
    throw new InterlockError('validation', 'BusinessPartnerIDByExtSystem must have 1 to 20 characters: it is how the partner is found again', { details: { path: 'BusinessPartnerIDByExtSystem' } });
  }
  const existing = await findBusinessPartner(client, ref);
  if (existing !== undefined) return { businessPartner: await update(client, existing, body), created: false };
  try {
    await client.request({ method: 'POST', service: BP_SERVICE, path: 'A_BusinessPartner', json: { BusinessPartnerCategory: '2', ...body } });
  } catch (err) {
    // A lost answer may hide a partner that now exists; a refusal for bad data does not.
    if (err instanceof InterlockError && (err.code === 'validation' || err.code === 'auth' || err.code === 'permanent')) throw err;
    const found = await findBusinessPartner(client, ref).catch(() => undefined);
    if (found === undefined) throw err;
    return { businessPartner: found, created: true };
  }
  const created = await findBusinessPartner(client, ref);
  if (created === undefined) throw new InterlockError('unexpected', `SAP created business partner ${ref} but does not find it`);
  return { businessPartner: created, created: true };
}

async function update(client: SapClient, existing: BusinessPartner, body: BusinessPartnerBody): Promise<BusinessPartner> {
  let current = existing;
  const changes = Object.fromEntries(UPDATABLE.filter((k) => body[k] !== undefined && body[k] !== (current as unknown as Record<string, unknown>)[k]).map((k) => [k, body[k]]));
  if (Object.keys(changes).length > 0) {
    const path = entityPath('A_BusinessPartner', current.BusinessPartner);
    for (let attempt = 0; ; attempt++) {
      try {
        await client.request({ method: 'PATCH', service: BP_SERVICE, path, ifMatch: current.etag ?? '*', json: changes });
        break;
      } catch (err) {
        // Someone changed the partner since it was read: read it again and apply the change once more.
        if (!(err instanceof InterlockError) || err.details?.['status'] !== 412 || attempt > 0) throw err;
        current = (await findBusinessPartner(client, body.BusinessPartnerIDByExtSystem)) ?? current;
      }
    }
  }
  for (const area of body.to_Customer?.to_CustomerSalesArea ?? []) {
    const has = current.salesAreas.some((s) => s.SalesOrganization === area.SalesOrganization && s.DistributionChannel === area.DistributionChannel && s.Division === area.Division);
    if (!has && current.Customer !== '') {
      await client.request({ method: 'POST', service: BP_SERVICE, path: `${entityPath('A_Customer', current.Customer)}/to_CustomerSalesArea`, json: area });
    }
  }
  return (await findBusinessPartner(client, body.BusinessPartnerIDByExtSystem)) ?? current;
}
