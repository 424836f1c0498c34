/**
 * Account lookup and validation against SAP: the business partner Interlock keeps for a CRM
 * account, found by its external reference (`BusinessPartnerIDByExtSystem`, the CRM account
 * number), with what stops an order being booked to it — not a customer, no sales area, not in the
 * sales area or currency the order needs. A partner SAP does not know is a 404.
 */
import { findBusinessPartner, type BusinessPartner } from '../../connectors/sap/actions/business-partner.ts';
import { notFoundError } from '../../core/errors.ts';
import { Budget, fetchWithFallback, type DownstreamPolicy, type Fetched, type FetchOptions } from './downstream.ts';
import { POLICIES } from './policies.ts';
import type { SapSystems } from './sap-systems.ts';
import type { SyncContext } from './sync-context.ts';

/** A business partner as the API shows it (and as its last-known copy holds it). */
export interface PartnerView {
  businessPartner: string;
  customer: string | null;
  name: string;
  searchTerm: string;
  externalRef: string;
  salesAreas: Array<{ salesOrganization: string; distributionChannel: string; division: string; currency: string; paymentTerms: string }>;
  address: { country: string | null; city: string | null; postalCode: string | null; street: string | null } | null;
}

/** What the order needs of the partner, when the caller says. */
export interface PartnerRequirements {
  /** `1710/10/00`: sales organisation / distribution channel / division. */
  salesArea?: string | undefined;
  currency?: string | undefined;
}

/** What a business partner check answers. */
export interface PartnerCheck {
  externalRef: string;
  valid: boolean;
  problems: string[];
  partner: PartnerView;
  stale: boolean;
  ageSeconds: number;
  ageMs: number;
  staleReason?: string;
}

/** Reads the partner of `externalRef` under `policy`; a 404 problem when SAP has none. */
export async function fetchPartner(
  ctx: SyncContext,
  systems: SapSystems,
  externalRef: string,
  policy: DownstreamPolicy,
  budget: Budget,
  options: FetchOptions = {},
): Promise<Fetched<PartnerView>> {
  const fetched = await fetchWithFallback(ctx, policy, budget, externalRef, async () => {
    const bp = await findBusinessPartner(systems.sap, externalRef);
    return bp === undefined ? null : toView(bp);
  }, options);
  const partner = fetched.value;
  if (partner === null) {
    throw notFoundError(`SAP has no business partner with external reference ${externalRef}`, { type: 'business-partner-not-found', details: { externalRef } });
  }
  return { value: partner, freshness: fetched.freshness };
}

/** Looks the partner up and judges it against `requirements`. */
export async function checkBusinessPartner(
  ctx: SyncContext,
  systems: SapSystems,
  externalRef: string,
  requirements: PartnerRequirements = {},
  options: FetchOptions = {},
): Promise<PartnerCheck> {
  const { budgetMs, downstream } = POLICIES['business-partner'];
  const fetched = await fetchPartner(ctx, systems, externalRef, downstream.partner, new Budget(ctx.clock, budgetMs), options);
  const problems = partnerProblems(fetched.value, requirements);
  return {
    externalRef,
    valid: problems.length === 0,
    problems,
    partner: fetched.value,
    stale: fetched.freshness.stale,
    ageSeconds: fetched.freshness.ageSeconds,
    ageMs: fetched.freshness.ageMs,
    ...(fetched.freshness.reason === undefined ? {} : { staleReason: fetched.freshness.reason }),
  };
}

/** What stops an order being booked to `partner`, one sentence each. */
export function partnerProblems(partner: PartnerView, requirements: PartnerRequirements): string[] {
  const problems: string[] = [];
  const who = `Business partner ${partner.businessPartner} (${partner.externalRef})`;
  if (partner.customer === null) problems.push(`${who} is not a customer in SAP: it needs the customer role before orders can be booked to it.`);
  else if (partner.salesAreas.length === 0) problems.push(`${who} has no sales area: SAP refuses orders to a customer outside every sales area.`);
  const areaOf = (a: PartnerView['salesAreas'][number]) => `${a.salesOrganization}/${a.distributionChannel}/${a.division}`;
  const area = requirements.salesArea === undefined ? undefined : partner.salesAreas.find((a) => areaOf(a) === requirements.salesArea);
  if (requirements.salesArea !== undefined && partner.customer !== null && area === undefined) {
    problems.push(`${who} is not in sales area ${requirements.salesArea}${partner.salesAreas.length === 0 ? '' : ` (it is in ${partner.salesAreas.map(areaOf).join(', ')})`}.`);
  }
  if (requirements.currency !== undefined) {
    const areas = area === undefined ? partner.salesAreas : [area];
    if (areas.length > 0 && !areas.some((a) => a.currency === requirements.currency)) {
      problems.push(`${who} buys in ${[...new Set(areas.map((a) => a.currency))].join(', ')}, not ${requirements.currency}: the order's currency must be its sales area's.`);
    }
  }
  return problems;
}

function toView(bp: BusinessPartner): PartnerView {
  const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
  const first = bp.addresses[0];
  return {
    businessPartner: bp.BusinessPartner,
    customer: bp.Customer === '' ? null : bp.Customer,
    name: bp.BusinessPartnerFullName || bp.OrganizationBPName1,
    searchTerm: bp.SearchTerm1,
    externalRef: bp.BusinessPartnerIDByExtSystem,
    salesAreas: bp.salesAreas.map((a) => ({
      salesOrganization: a.SalesOrganization,
      distributionChannel: a.DistributionChannel,
      division: a.Division,
      currency: a.Currency,
      paymentTerms: a.CustomerPaymentTerms,
    })),
    address:
      first === undefined
        ? null
        : { country: text(first['Country']), city: text(first['CityName']), postalCode: text(first['PostalCode']), street: text(first['StreetName']) },
  };
}
