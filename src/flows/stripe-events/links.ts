/**
 * How a Stripe object leads back to the deal it came from: lead-to-order puts the Opportunity
 * Id in the subscription's metadata, and the NetSuite sales order has the Opportunity Id as its
 * external id. Objects Interlock did not make carry no such link and are left alone.
 */
import { retrieveSubscription } from '../../connectors/stripe/actions/retrieve-subscription.ts';
import type { StripeClient } from '../../connectors/stripe/client.ts';
import type { StripeInvoice, StripeSubscription } from '../../connectors/stripe/types.ts';
import { invoiceSubscriptionId } from '../../connectors/stripe/types.ts';
import { OPPORTUNITY_KEY } from '../lead-to-order/stripe-steps.ts';

/** The Opportunity Id of a subscription Interlock made, else undefined. */
export function opportunityOfSubscription(subscription: Pick<StripeSubscription, 'metadata'>): string | undefined {
  const id = subscription.metadata?.[OPPORTUNITY_KEY];
  return id === undefined || id === '' ? undefined : id;
}

/**
 * The Opportunity Id behind an invoice: from the subscription metadata Stripe copies onto the
 * invoice (`parent.subscription_details.metadata`), else from the subscription itself.
 */
export async function opportunityOfInvoice(client: StripeClient, invoice: StripeInvoice): Promise<{ opportunityId: string; subscriptionId: string } | undefined> {
  const subscriptionId = invoiceSubscriptionId(invoice);
  if (subscriptionId === undefined) return undefined;
  const details = invoice.parent?.subscription_details as { metadata?: Record<string, string> } | null | undefined;
  const copied = details?.metadata === undefined ? undefined : opportunityOfSubscription({ metadata: details.metadata });
  const opportunityId = copied ?? opportunityOfSubscription(await retrieveSubscription(client, subscriptionId));
  return opportunityId === undefined ? undefined : { opportunityId, subscriptionId };
}
