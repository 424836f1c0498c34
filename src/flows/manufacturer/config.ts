/**
 * The business settings of the manufacturer story: which SAP sales area sells for each legal
 * entity (the canonical `legalEntity` the Dynamics mappings derive from the customer's country),
 * which currencies SAP keeps, where each entity ships from (the tax estimate's origin), and the
 * discount above which a person approves the deal. Defaults match the sandboxes' seed data.
 */
import type { TaxAddress } from '../../connectors/avalara/types.ts';

/** An SAP sales area: organisation, distribution channel, division. */
export interface SalesArea {
  salesOrganization: string;
  distributionChannel: string;
  division: string;
}

/** What the manufacturer flows need to know about the business. */
export interface ManufacturerConfig {
  /** Largest line discount (percent) booked without approval. */
  discountApprovalThresholdPercent: number;
  /** Canonical legal entity (`US01`, `DE01`…) → the SAP sales area that sells for it. */
  salesAreas: Readonly<Record<string, SalesArea>>;
  /** ISO currencies SAP keeps for these sales areas. */
  currencies: readonly string[];
  /** Legal entity → its own address, where goods ship from (tax origin). */
  shipFrom: Readonly<Record<string, TaxAddress>>;
}

const AREA_1710: SalesArea = { salesOrganization: '1710', distributionChannel: '10', division: '00' };

/** The settings of the seeded sandboxes (one S/4HANA sales area, 1710/10/00, sells for all). */
export const DEFAULT_MANUFACTURER_CONFIG: Readonly<ManufacturerConfig> = Object.freeze<ManufacturerConfig>({
  discountApprovalThresholdPercent: 20,
  salesAreas: { US01: AREA_1710, DE01: AREA_1710, UK01: AREA_1710 },
  currencies: ['USD', 'EUR', 'GBP'],
  shipFrom: {
    US01: { line1: '4000 Assembly Ave', city: 'Detroit', region: 'MI', postalCode: '48201', country: 'US' },
    DE01: { line1: 'Industriestraße 1', city: 'Stuttgart', postalCode: '70565', country: 'DE' },
    UK01: { line1: '1 Mill Lane', city: 'Manchester', postalCode: 'M1 2AB', country: 'GB' },
  },
});
