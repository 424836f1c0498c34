/**
 * What the salesperson sees on the opportunity: `Integration_Status__c` and readable
 * `Integration_Error__c` at each turn of the flow, and the ids the deal got in NetSuite and Stripe.
 */
import { updateOpportunityStatus } from '../../connectors/salesforce/actions/update-opportunity-status.ts';
import type { SalesforceClient } from '../../connectors/salesforce/client.ts';

/** The values of `Integration_Status__c` the flow writes. */
export const INTEGRATION_STATUS = {
  inProgress: 'In Progress',
  error: 'Error',
  awaitingApproval: 'Awaiting Approval',
  rejected: 'Rejected',
  synced: 'Synced',
  failed: 'Failed',
} as const;

/** Sets the status and the readable text (null clears it). */
export async function reportStatus(client: SalesforceClient, opportunityId: string, status: string, text: string | null): Promise<void> {
  await updateOpportunityStatus(client, { opportunityId, status, error: text });
}

/**
 * Marks the deal synced, with its NetSuite order number and Stripe ids. Given `accountId` (an
 * account that has no Stripe customer recorded yet), the same call records the customer on the
 * Account, where the next deals' Stripe customer step finds it without a search.
 */
export async function reportSynced(
  client: SalesforceClient,
  input: { opportunityId: string; netSuiteOrderNumber: string; stripeCustomerId: string | null; stripeSubscriptionId: string | null; accountId?: string | undefined },
): Promise<void> {
  await updateOpportunityStatus(client, {
    ...(input.accountId === undefined || input.stripeCustomerId === null ? {} : { account: { accountId: input.accountId, stripeCustomerId: input.stripeCustomerId } }),
    opportunityId: input.opportunityId,
    status: INTEGRATION_STATUS.synced,
    error: null,
    netSuiteOrderNumber: input.netSuiteOrderNumber,
    ...(input.stripeCustomerId === null ? {} : { stripeCustomerId: input.stripeCustomerId }),
    ...(input.stripeSubscriptionId === null ? {} : { stripeSubscriptionId: input.stripeSubscriptionId }),
  });
}
