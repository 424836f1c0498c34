/**
 * The Stripe half of booking: a customer for the account, a price per recurring product and
 * billing interval, and one subscription per opportunity. Every creation carries the step's
 * idempotency key; what a finished earlier run made (the account's customer, the opportunity's
 * subscription) is found and reused, so a re-run for the same deal makes nothing twice.
 */
import { cancelSubscription } from '../../connectors/stripe/actions/cancel-subscription.ts';
import { createCustomer } from '../../connectors/stripe/actions/create-customer.ts';
import { createSubscription } from '../../connectors/stripe/actions/create-subscription.ts';
import { ensurePrice } from '../../connectors/stripe/actions/ensure-price.ts';
import { findCustomerByMetadata } from '../../connectors/stripe/actions/find-customer.ts';
import { findLiveSubscriptionByMetadata } from '../../connectors/stripe/actions/find-subscription.ts';
import type { StripeClient } from '../../connectors/stripe/client.ts';
import type { Customer } from '../../canonical/customer.ts';
import type { OpportunityWithLines } from '../../connectors/salesforce/actions/get-opportunity.ts';
import type { LeadToOrderConfig } from './config.ts';
import { netUnitPrice } from './netsuite-steps.ts';
import { isRecurring, linesOf } from './validate.ts';

/** Metadata key tying a subscription to its opportunity. */
export const OPPORTUNITY_KEY = 'salesforce_opportunity_id';

/** One subscription item. */
export interface SubscriptionItem {
  priceId: string;
  quantity: number;
}

/**
 * The account's Stripe customer: the one Salesforce knows, else one found by account id, else a
 * new one. The creation's idempotency key is the account's, not the run's: deals of one account
 * closing together run at once, and Stripe's search may not show a customer made a moment ago,
 * so only a shared key keeps them from making one customer each.
 */
export async function ensureStripeCustomer(client: StripeClient, opportunity: OpportunityWithLines, customer: Customer): Promise<string> {
  const known = opportunity.Account?.Stripe_Customer_Id__c ?? opportunity.Stripe_Customer_Id__c ?? null;
  if (known !== null && known !== '') return known;
  const accountId = opportunity.AccountId ?? '';
  const found = await findCustomerByMetadata(client, 'salesforce_account_id', accountId);
  if (found !== undefined) return found.id;
  const made = await createCustomer(client, {
    canonicalCustomerId: customer.id,
    salesforceAccountId: accountId,
    name: customer.name,
    ...(customer.email === undefined ? {} : { email: customer.email }),
    idempotencyKey: `interlock-customer-${accountId}`,
  });
  return made.id;
}

/** A price for each recurring line (found by lookup key, else created), with its quantity. */
export async function recurringItems(client: StripeClient, opportunity: OpportunityWithLines, currency: string, config: LeadToOrderConfig): Promise<SubscriptionItem[]> {
  const items: SubscriptionItem[] = [];
  for (const line of linesOf(opportunity).filter(isRecurring)) {
    const sku = line.Product2?.ProductCode ?? '';
    const interval = config.intervals[line.Billing_Frequency__c ?? ''] ?? 'month';
    const cents = Math.round(netUnitPrice(line.UnitPrice ?? 0, line.Discount ?? 0) * 100);
    const lookupKey = `interlock_${sku}_${interval}_${currency}_${cents}`.toLowerCase().replace(/[^a-z0-9_-]/g, '_');
    const { price } = await ensurePrice(client, {
      lookupKey,
      productName: line.Product2?.Name ?? sku,
      sku,
      currency,
      unitAmount: cents,
      recurring: { interval },
      // The price's own key: runs booking the same price at once must make it once.
      idempotencyKey: `interlock-price-${lookupKey}`,
    });
    items.push({ priceId: price.id, quantity: Math.max(1, Math.round(line.Quantity)) });
  }
  return items;
}

/** The subscription as the flow remembers it. */
export interface BookedSubscription {
  id: string;
  status: string;
}

/** The opportunity's live subscription, or a new one. */
export async function subscribe(
  client: StripeClient,
  input: { customerId: string; items: readonly SubscriptionItem[]; opportunityId: string; salesOrder: string; idempotencyKey: string },
): Promise<BookedSubscription> {
  const found = await findLiveSubscriptionByMetadata(client, OPPORTUNITY_KEY, input.opportunityId);
  if (found !== undefined && found.customer === input.customerId) return { id: found.id, status: found.status };
  const sub = await createSubscription(client, {
    customerId: input.customerId,
    items: input.items,
    metadata: { [OPPORTUNITY_KEY]: input.opportunityId, netsuite_sales_order: input.salesOrder },
    idempotencyKey: input.idempotencyKey,
  });
  return { id: sub.id, status: sub.status };
}

/** Compensation: cancels the subscription (repeatable). */
export async function unsubscribe(client: StripeClient, subscription: BookedSubscription): Promise<{ canceled: string }> {
  const sub = await cancelSubscription(client, subscription.id);
  return { canceled: sub.id };
}
