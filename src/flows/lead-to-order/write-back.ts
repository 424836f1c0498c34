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

/** Marks the deal synced, with its NetSuite order number and Stripe ids. */
export async function reportSynced(
  client: SalesforceClient,
  input: { opportunityId: string; netSuiteOrderNumber: string; stripeCustomerId: string | null; stripeSubscriptionId: string | null },
): Promise<void> {
  await updateOpportunityStatus(client, {
    opportunityId: input.opportunityId,
    status: INTEGRATION_STATUS.synced,
    error: null,
    netSuiteOrderNumber: input.netSuiteOrderNumber,
    ...(input.stripeCustomerId === null ? {} : { stripeCustomerId: input.stripeCustomerId }),
    ...(input.stripeSubscriptionId === null ? {} : { stripeSubscriptionId: input.stripeSubscriptionId }),
  });
}
