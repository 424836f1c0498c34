/**
 * The demo data set (`seed: true`): the ERP side of the manufacturer in the Dynamics sandbox's
 * seed (`../dynamics/seed.ts`). Its three accounts are business partners and customers whose
 * `BusinessPartnerIDByExtSystem` and `SearchTerm1` hold the CRM account number (CUST-1001…),
 * each with sales area 1710/10/00 in its currency and a credit limit in segment 1000; its six
 * products are materials of the same number in plant 1710 with a price and stock.
 */
import type { SapStore } from './store.ts';
import { createEntity, type RuleContext } from './writes.ts';
import { RULES } from './rules.ts';
import { setByName } from './schema.ts';

/** Materials: number (the CRM product number), description, price (EUR), stock at plant 1710. */
export const SEED_MATERIALS = [
  ['PUMP-CP100', 'Centrifugal Pump CP-100', '4200', 25],
  ['PUMP-CP250', 'Centrifugal Pump CP-250', '7900', 8],
  ['MOTOR-E15', 'Electric Motor 15 kW', '2650', 30],
  ['VALVE-BV50', 'Ball Valve DN50', '310', 500],
  ['SPARE-SEALKIT', 'Mechanical Seal Kit', '145', 120],
  ['SVC-COMMISSION', 'Commissioning Service (day)', '1200', 1000],
] as const;

/** Customers: business partner, CRM account number, name, country, city, street, postal code, currency, credit limit. */
export const SEED_CUSTOMERS = [
  ['17100001', 'CUST-1001', 'Contoso Manufacturing GmbH', 'DE', 'Stuttgart', 'Industriestraße 12', '70565', 'EUR', '250000'],
  ['17100002', 'CUST-1002', 'Fabrikam Industries Inc.', 'US', 'Detroit', '4000 Assembly Ave', '48201', 'USD', '400000'],
  ['17100003', 'CUST-1003', 'Adventure Works Plant Services Ltd', 'GB', 'Manchester', '22 Mill Lane', 'M1 2AB', 'GBP', '80000'],
] as const;

/** Loads the demo data set. */
export function seedSap(store: SapStore): void {
  const ctx: RuleContext = { store, changed: () => undefined };
  for (const [material, description, price, stock] of SEED_MATERIALS) {
    store.materials.put(material, { material, description, plant: '1710', unit: material.startsWith('SVC') ? 'H' : 'PC', price, currency: 'EUR', stock });
  }
  for (const [bp, crm, name, country, city, street, postal, currency, limit] of SEED_CUSTOMERS) {
    createEntity(ctx, RULES, setByName('A_BusinessPartner'), {
      BusinessPartner: bp, BusinessPartnerCategory: '2', BusinessPartnerGrouping: 'BP02', OrganizationBPName1: name, SearchTerm1: crm, BusinessPartnerIDByExtSystem: crm, Language: 'EN',
      to_BusinessPartnerAddress: [{ AddressID: '1', Country: country, CityName: city, StreetName: street, PostalCode: postal, Language: 'EN' }],
      to_BusinessPartnerRole: [{ BusinessPartnerRole: 'FLCU00' }, { BusinessPartnerRole: 'FLCU01' }],
      to_Customer: { to_CustomerSalesArea: [{ SalesOrganization: '1710', DistributionChannel: '10', Division: '00', Currency: currency, CustomerPaymentTerms: '0004', CreditControlArea: 'A000' }] },
    });
    store.credit.put(`${bp}|1000`, { businessPartner: bp, segment: '1000', limit, currency, openItems: '0' });
  }
}
