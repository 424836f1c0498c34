/**
 * The sandbox's tax table: a small, fixed set of jurisdictions and tax codes, so every estimate
 * is deterministic and a test can compute the expected tax by hand. Rates are illustrative, close
 * to real ones, and not for filing. Outside the table: other US states pay a flat 5 % state tax,
 * other countries none.
 */

/** One jurisdiction's levy on a line. */
export interface Levy {
  jurisType: 'STA' | 'CTY' | 'CIT' | 'STJ' | 'CNT';
  jurisCode: string;
  jurisName: string;
  taxName: string;
  taxType: 'Sales' | 'Output';
  rate: number;
}

const us = (state: string, name: string, levies: Omit<Levy, 'taxType'>[]): [string, Levy[]] => [
  `US-${state}`,
  levies.map((l) => ({ ...l, taxType: 'Sales' as const, jurisName: l.jurisName || name })),
];
const vat = (country: string, name: string, rate: number): [string, Levy[]] => [
  country,
  [{ jurisType: 'CNT', jurisCode: country, jurisName: name, taxName: `${country} STANDARD VAT`, taxType: 'Output', rate }],
];

/** Levies by `US-<state>` or EU/UK country code. */
export const JURISDICTIONS: ReadonlyMap<string, readonly Levy[]> = new Map([
  us('CA', 'CALIFORNIA', [
    { jurisType: 'STA', jurisCode: '06', jurisName: '', taxName: 'CA STATE TAX', rate: 0.06 },
    { jurisType: 'CTY', jurisCode: '037', jurisName: 'LOS ANGELES', taxName: 'CA COUNTY TAX', rate: 0.0025 },
    { jurisType: 'STJ', jurisCode: 'EMBE0', jurisName: 'LOS ANGELES CO LOCAL TAX SL', taxName: 'CA SPECIAL TAX', rate: 0.01 },
  ]),
  us('NY', 'NEW YORK', [
    { jurisType: 'STA', jurisCode: '36', jurisName: '', taxName: 'NY STATE TAX', rate: 0.04 },
    { jurisType: 'CIT', jurisCode: '51000', jurisName: 'NEW YORK CITY', taxName: 'NY CITY TAX', rate: 0.045 },
    { jurisType: 'STJ', jurisCode: '359071', jurisName: 'METROPOLITAN COMMUTER TRANSPORTATION DISTRICT', taxName: 'NY SPECIAL TAX', rate: 0.00375 },
  ]),
  us('TX', 'TEXAS', [
    { jurisType: 'STA', jurisCode: '48', jurisName: '', taxName: 'TX STATE TAX', rate: 0.0625 },
    { jurisType: 'CIT', jurisCode: '05000', jurisName: 'AUSTIN', taxName: 'TX CITY TAX', rate: 0.01 },
    { jurisType: 'STJ', jurisCode: '4227440', jurisName: 'AUSTIN MTA TRANSIT', taxName: 'TX SPECIAL TAX', rate: 0.01 },
  ]),
  us('WA', 'WASHINGTON', [
    { jurisType: 'STA', jurisCode: '53', jurisName: '', taxName: 'WA STATE TAX', rate: 0.065 },
    { jurisType: 'CIT', jurisCode: '63000', jurisName: 'SEATTLE', taxName: 'WA CITY TAX', rate: 0.0385 },
  ]),
  us('OR', 'OREGON', [{ jurisType: 'STA', jurisCode: '41', jurisName: '', taxName: 'OR STATE TAX', rate: 0 }]),
  us('MT', 'MONTANA', [{ jurisType: 'STA', jurisCode: '30', jurisName: '', taxName: 'MT STATE TAX', rate: 0 }]),
  vat('DE', 'GERMANY', 0.19),
  vat('FR', 'FRANCE', 0.2),
  vat('NL', 'NETHERLANDS', 0.21),
  vat('IE', 'IRELAND', 0.23),
  vat('GB', 'UNITED KINGDOM', 0.2),
]);

/** The tax codes the sandbox knows; an empty code means `P0000000`. */
export const TAX_CODES: ReadonlyMap<string, string> = new Map([
  ['P0000000', 'Tangible personal property'],
  ['SW054000', 'Software as a service (SaaS)'],
  ['NT', 'Non-taxable'],
]);

// SaaS is not taxed in these US states (as with California's rule for remote access software).
const SAAS_EXEMPT_STATES: ReadonlySet<string> = new Set(['US-CA']);

/** The levies on a line with `taxCode` delivered to `country`/`region` (empty when exempt). */
export function leviesFor(country: string, region: string, taxCode: string): readonly Levy[] {
  if (taxCode === 'NT') return [];
  const key = country === 'US' ? `US-${region}` : country;
  if (taxCode === 'SW054000' && SAAS_EXEMPT_STATES.has(key)) return [];
  const found = JURISDICTIONS.get(key);
  if (found !== undefined) return found;
  if (country !== 'US') return [];
  return [{ jurisType: 'STA', jurisCode: region, jurisName: region, taxName: `${region} STATE TAX`, taxType: 'Sales', rate: 0.05 }];
}
