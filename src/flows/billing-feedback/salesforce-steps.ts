/**
 * The Salesforce half of billing feedback: the opportunity's account, and the billing status of
 * the latest invoice written onto both. Invoices of one deal can be reported out of order (a late
 * failure of last month's invoice after this month's was paid), so the write is guarded by the
 * invoice's own version: the newest invoice, at its furthest status, is what the fields show.
 */
import { getRecord } from '../../connectors/salesforce/actions/get-record.ts';
import { updateBillingStatus } from '../../connectors/salesforce/actions/update-billing-status.ts';
import type { SalesforceClient } from '../../connectors/salesforce/client.ts';
import { compareVersions } from '../../connectors/stripe/triggers/staleness.ts';
import type { StripeInvoiceEvent } from '../../connectors/stripe/triggers/webhook.ts';
import type { AppliedVersions } from '../stripe-events/applied-versions.ts';
import { isoDate } from '../stripe-events/stale-guard.ts';

/** The values of `Billing_Status__c` the flow writes. */
export const BILLING_STATUS = { paid: 'Paid', paymentFailed: 'Payment Failed' } as const;

/** The account of the opportunity (null when it has none). */
export async function accountOf(client: SalesforceClient, opportunityId: string): Promise<string | null> {
  const opportunity = await getRecord<{ AccountId: string | null }>(client, { sobject: 'Opportunity', id: opportunityId, fields: ['AccountId'] });
  return opportunity.AccountId ?? null;
}

const PROGRESS: Readonly<Record<string, number>> = { draft: 0, open: 1, uncollectible: 2, paid: 3, void: 3 };

/**
 * Writes the invoice's billing status onto the opportunity and its account unless a newer
 * invoice of the same subscription (the opportunity's) has written its status already; answers
 * what it did.
 */
export async function reportBillingStatus(
  client: SalesforceClient,
  versions: AppliedVersions,
  input: { event: StripeInvoiceEvent; opportunityId: string; subscriptionId: string; accountId: string | null; paidAt: number | null },
): Promise<{ written: boolean; status: string; note?: string }> {
  const { event, opportunityId } = input;
  const invoice = event.invoice;
  const status = event.type === 'invoice.paid' ? BILLING_STATUS.paid : BILLING_STATUS.paymentFailed;
  const version = { objectId: `salesforce-billing:${input.subscriptionId}`, rank: [invoice.created, PROGRESS[invoice.status] ?? 0, event.created], eventId: event.id };
  const last = await versions.get(version.objectId);
  if (last !== undefined && last.eventId !== event.id && compareVersions(version, last) < 0) {
    return { written: false, status, note: `skipped: stale — ${last.eventId} reported a newer invoice status on ${opportunityId}` };
  }
  await updateBillingStatus(client, {
    opportunityId,
    accountId: input.accountId,
    status,
    invoiceId: invoice.id,
    ...(input.paidAt === null ? {} : { paymentDate: isoDate(input.paidAt) }),
  });
  await versions.advance(version);
  return { written: true, status };
}

