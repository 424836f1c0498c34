/**
 * Writes billing feedback onto an account and an opportunity in one all-or-none call: the
 * status of the latest invoice, its id and the date of the last payment. The fields are custom
 * fields an org adds for the integration (see the connector README). Repeating it writes the
 * same values.
 */
import { InterlockError } from '../../../core/errors.ts';
import type { SalesforceClient } from '../client.ts';
import { updateRecords } from './update-records.ts';

/** What to write; undefined leaves a field as it is. */
export interface BillingStatusUpdate {
  accountId?: string | null;
  opportunityId: string;
  /** `Billing_Status__c`, e.g. `Paid`, `Payment Failed`. */
  status: string;
  /** `Last_Invoice_Id__c`: the billing system's invoice id. */
  invoiceId?: string;
  /** `Last_Payment_Date__c`, `YYYY-MM-DD`. */
  paymentDate?: string;
}

/** Updates the billing fields of the opportunity and of its account. */
export async function updateBillingStatus(client: SalesforceClient, input: BillingStatusUpdate): Promise<void> {
  const fields: Record<string, string> = { Billing_Status__c: input.status };
  if (input.invoiceId !== undefined) fields['Last_Invoice_Id__c'] = input.invoiceId;
  if (input.paymentDate !== undefined) fields['Last_Payment_Date__c'] = input.paymentDate;
  const records = [{ sobject: 'Opportunity', id: input.opportunityId, fields }];
  if (input.accountId !== undefined && input.accountId !== null) records.push({ sobject: 'Account', id: input.accountId, fields });
  const results = await updateRecords(client, { records, allOrNone: true });
  const failed = results.find((r) => !r.success);
  if (failed !== undefined && !failed.success) {
    throw new InterlockError(failed.code, `Salesforce refused the billing status of ${failed.id}: ${failed.errorCode} ${failed.message}`, {
      details: { vendor: 'salesforce', errorCode: failed.errorCode, fields: failed.fields },
    });
  }
}
