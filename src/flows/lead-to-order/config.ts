/**
 * The business settings of lead-to-order: which NetSuite subsidiary sells for each Salesforce
 * legal entity, which currencies NetSuite keeps, where each entity ships from (for the tax
 * estimate), and the discount above which a person must approve the deal. Defaults match the
 * sandboxes' seed data, so the demo runs without configuration.
 */
import type { TaxAddress } from '../../connectors/avalara/types.ts';

/** What the flow needs to know about the business. */
export interface LeadToOrderConfig {
  /** Largest line discount (percent) booked without approval. */
  discountApprovalThresholdPercent: number;
  /** `Account.Legal_Entity__c` → NetSuite subsidiary internal id. */
  subsidiaries: Readonly<Record<string, string>>;
  /** ISO currency → NetSuite currency internal id. */
  currencies: Readonly<Record<string, string>>;
  /** `Account.Legal_Entity__c` → the entity's own address, where goods and services ship from. */
  shipFrom: Readonly<Record<string, TaxAddress>>;
  /** `OpportunityLineItem.Billing_Frequency__c` of recurring lines → Stripe billing interval. */
  intervals: Readonly<Record<string, 'month' | 'year'>>;
}

/** The settings of the seeded sandboxes. */
export const DEFAULT_LEAD_TO_ORDER_CONFIG: Readonly<LeadToOrderConfig> = Object.freeze<LeadToOrderConfig>({
  discountApprovalThresholdPercent: 20,
  subsidiaries: { 'Interlock US Inc': '1', 'Interlock GmbH': '2', 'Interlock Ltd': '3' },
  currencies: { USD: '1', EUR: '2', GBP: '3' },
  shipFrom: {
    'Interlock US Inc': { line1: '100 Main St', city: 'Portland', region: 'OR', postalCode: '97204', country: 'US' },
    'Interlock GmbH': { line1: 'Unter den Linden 1', city: 'Berlin', postalCode: '10117', country: 'DE' },
    'Interlock Ltd': { line1: '1 Old Street', city: 'London', postalCode: 'EC1V 9HL', country: 'GB' },
  },
  intervals: { Monthly: 'month', Annual: 'year', Yearly: 'year' },
});
