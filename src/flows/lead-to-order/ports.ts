/**
 * The ports lead-to-order books a deal through, so one flow serves every story: a CRM port (read
 * the won opportunity, report the integration status, write the booking back), an ERP port
 * (upsert the customer, book the sales order idempotently, cancel it as compensation) and an
 * optional billing port (a subscription for recurring lines; a story whose ERP bills has none).
 * Validation belongs to the story too: its own mapping to canonical, legal entity, currency,
 * price list and the tax estimate.
 *
 * The first story's adapters (Salesforce, NetSuite, Stripe) are here, calling the same step
 * functions as before, so its runs journal exactly what they journaled (step names come from the
 * ports' names: `netsuite-customer`, `stripe-subscription`…).
 */
import type { OpportunityWithLines } from '../../connectors/salesforce/actions/get-opportunity.ts';
import { getOpportunity } from '../../connectors/salesforce/actions/get-opportunity.ts';
import type { DealCheck } from './validate-deal.ts';
import { validateDeal } from './validate-deal.ts';
import type { LeadToOrderDeps } from './deps.ts';
import { bookSalesOrder, cancelSalesOrder, upsertNetSuiteCustomer, type BookedOrder } from './netsuite-steps.ts';
import { ensureStripeCustomer, recurringItems, subscribe, unsubscribe, type BookedSubscription, type SubscriptionItem } from './stripe-steps.ts';
import { isRecurring, linesOf, maxDiscountPercent } from './validate.ts';
import { INTEGRATION_STATUS, reportStatus, reportSynced } from './write-back.ts';

/** A deal that passed validation: the CRM record and its canonical Order and Customer. */
export type ValidDeal<D> = Extract<DealCheck, { ok: true }> & { opportunity: D };

/** What the CRM port writes back when the deal is booked. */
export interface Booking {
  erpOrderNumber: string;
  billingCustomerId: string | null;
  subscriptionId: string | null;
}

/** The CRM side: where deals come from and where their status goes. */
export interface CrmPort<D> {
  /** Inbox source of its `opportunity.closed-won` events, e.g. `salesforce`. */
  readonly source: string;
  /** Reads the opportunity with lines and account (journaled: JSON only). */
  readDeal(opportunityId: string): Promise<D>;
  isWon(deal: D): boolean;
  /** The result fields of a deal an earlier run booked, or undefined when it is not booked. */
  alreadySynced(deal: D): Record<string, unknown> | undefined;
  /** Name and amount shown on an approval request. */
  approvalFacts(deal: D): { name: string; amount: number | null };
  /** Largest line discount in percent. */
  maxDiscountPercent(deal: D): number;
  reportStatus(opportunityId: string, status: string, text: string | null): Promise<void>;
  /** Writes the booking back; `deal` is the deal as read (a port may record more from it). */
  reportSynced(opportunityId: string, booking: Booking, deal: D): Promise<void>;
}

/** The ERP side: customer and sales order. `B` is the booked order as journaled. */
export interface ErpPort<D, B = unknown> {
  /** Step-name prefix, e.g. `netsuite` → `netsuite-customer`, `netsuite-sales-order`. */
  readonly name: string;
  /** For texts a person reads, e.g. `NetSuite`. */
  readonly label: string;
  upsertCustomer(deal: ValidDeal<D>): Promise<string>;
  /** Books the order once, whatever the retries (finds an earlier attempt's order). */
  bookOrder(deal: ValidDeal<D>, customerId: string): Promise<B>;
  /** Compensation: makes sure nobody fulfils or bills the order. */
  cancelOrder(order: B, reason: string): Promise<unknown>;
  /** The order's number as people see it (written back to the CRM). */
  orderNumber(order: B): string;
  /** The run result's fields for the order. */
  resultFields(order: B): Record<string, unknown>;
}

/** The billing side: a subscription for the deal's recurring lines. */
export interface BillingPort<D> {
  /** Step-name prefix, e.g. `stripe`. */
  readonly name: string;
  readonly label: string;
  /** Whether the deal has anything to subscribe. */
  needed(deal: D): boolean;
  ensureCustomer(deal: ValidDeal<D>): Promise<string>;
  items(deal: ValidDeal<D>): Promise<unknown>;
  subscribe(input: { customerId: string; items: unknown; opportunityId: string; erpOrderNumber: string; idempotencyKey: string }): Promise<BookedSubscription>;
  unsubscribe(subscription: BookedSubscription): Promise<unknown>;
  /** The run result's fields (also when no subscription was needed: both null). */
  resultFields(customerId: string | null, subscriptionId: string | null): Record<string, unknown>;
}

/** Everything the flow needs from a story. */
export interface LeadToOrderPorts<D> {
  crm: CrmPort<D>;
  erp: ErpPort<D>;
  billing?: BillingPort<D> | undefined;
  /** Canonical form, deal checks and tax estimate. */
  validate(deal: D): Promise<DealCheck>;
  /** Largest line discount (percent) booked without approval. */
  discountApprovalThresholdPercent: number;
}

/** Salesforce as the first story's CRM. */
export function salesforceCrm(deps: Pick<LeadToOrderDeps, 'salesforce'>): CrmPort<OpportunityWithLines> {
  return {
    source: 'salesforce',
    readDeal: (opportunityId) => getOpportunity(deps.salesforce, { opportunityId }),
    isWon: (o) => o.StageName === 'Closed Won',
    alreadySynced: (o) =>
      o.Integration_Status__c === INTEGRATION_STATUS.synced ? { netSuiteOrderNumber: o.NetSuite_Order_Number__c ?? '', stripeSubscriptionId: o.Stripe_Subscription_Id__c ?? null } : undefined,
    approvalFacts: (o) => ({ name: o.Name, amount: o.Amount }),
    maxDiscountPercent,
    reportStatus: (id, status, text) => reportStatus(deps.salesforce, id, status, text),
    reportSynced: (id, b, o) =>
      reportSynced(deps.salesforce, {
        opportunityId: id,
        netSuiteOrderNumber: b.erpOrderNumber,
        stripeCustomerId: b.billingCustomerId,
        stripeSubscriptionId: b.subscriptionId,
        // The account's first booked deal records its Stripe customer on the Account too.
        accountId: o.AccountId !== null && o.Account !== null && !o.Account.Stripe_Customer_Id__c ? o.AccountId : undefined,
      }),
  };
}

/** NetSuite as the first story's ERP (external ids make both writes idempotent). */
export function netSuiteErp(deps: Pick<LeadToOrderDeps, 'netsuite' | 'config'>): ErpPort<OpportunityWithLines, BookedOrder> {
  return {
    name: 'netsuite',
    label: 'NetSuite',
    upsertCustomer: (d) => upsertNetSuiteCustomer(deps.netsuite, d.opportunity, d.customer, deps.config),
    bookOrder: (d, customerId) => bookSalesOrder(deps.netsuite, d.opportunity, d.order, customerId, deps.config),
    cancelOrder: (order, reason) => cancelSalesOrder(deps.netsuite, order, reason),
    orderNumber: (order) => order.tranId,
    resultFields: (order) => ({ netSuiteOrderId: order.id, netSuiteOrderNumber: order.tranId }),
  };
}

/** Stripe as the first story's billing: one subscription per deal with recurring lines. */
export function stripeBilling(deps: Pick<LeadToOrderDeps, 'stripe' | 'config'>): BillingPort<OpportunityWithLines> {
  return {
    name: 'stripe',
    label: 'Stripe',
    needed: (o) => linesOf(o).some(isRecurring),
    ensureCustomer: (d) => ensureStripeCustomer(deps.stripe, d.opportunity, d.customer),
    items: (d) => recurringItems(deps.stripe, d.opportunity, d.order.currency.toLowerCase(), deps.config),
    subscribe: (input) =>
      subscribe(deps.stripe, { customerId: input.customerId, items: input.items as SubscriptionItem[], opportunityId: input.opportunityId, salesOrder: input.erpOrderNumber, idempotencyKey: input.idempotencyKey }),
    unsubscribe: (sub) => unsubscribe(deps.stripe, sub),
    resultFields: (customerId, subscriptionId) => ({ stripeCustomerId: customerId, stripeSubscriptionId: subscriptionId }),
  };
}

/** The first story: Salesforce → NetSuite (+ Stripe), validated against its configuration and AvaTax. */
export function firstStoryPorts(deps: LeadToOrderDeps): LeadToOrderPorts<OpportunityWithLines> {
  return {
    crm: salesforceCrm(deps),
    erp: netSuiteErp(deps) as ErpPort<OpportunityWithLines>,
    billing: stripeBilling(deps),
    validate: (opportunity) => validateDeal(deps, opportunity),
    // Read when a run asks, so a changed setting applies to the next deal.
    get discountApprovalThresholdPercent() {
      return deps.config.discountApprovalThresholdPercent;
    },
  };
}
