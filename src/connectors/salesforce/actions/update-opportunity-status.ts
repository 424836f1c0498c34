/**
 * Writes the integration's outcome back onto an Opportunity: its status and readable error text,
 * and the ids the other systems gave the deal (NetSuite order number, Stripe customer and
 * subscription). Fields left undefined are not touched; null clears a field. The Stripe customer
 * can be recorded on the opportunity's Account in the same call, so later deals of the account
 * know it without asking Stripe.
 */
import { InterlockError } from '../../../core/errors.ts';
import type { SalesforceClient } from '../client.ts';
import { recordId } from './soql.ts';
import { updateRecords } from './update-records.ts';

/** What to write; undefined leaves a field as it is, null empties it. */
export interface OpportunityIntegrationUpdate {
  opportunityId: string;
  /** `Integration_Status__c`, e.g. `Pending`, `Synced`, `Error`. */
  status?: string | null;
  /** `Integration_Error__c`: text a salesperson can act on. */
  error?: string | null;
  netSuiteOrderNumber?: string | null;
  stripeCustomerId?: string | null;
  stripeSubscriptionId?: string | null;
  /**
   * Also sets the Account's `Stripe_Customer_Id__c`, in the same call (sObject Collections). Only
   * the opportunity's outcome counts: a refusal of the account's part is ignored, since the
   * account's field only saves later deals a Stripe search.
   */
  account?: { accountId: string; stripeCustomerId: string };
}

const FIELDS: ReadonlyArray<[Exclude<keyof OpportunityIntegrationUpdate, 'opportunityId' | 'account'>, string]> = [
  ['status', 'Integration_Status__c'],
  ['error', 'Integration_Error__c'],
  ['netSuiteOrderNumber', 'NetSuite_Order_Number__c'],
  ['stripeCustomerId', 'Stripe_Customer_Id__c'],
  ['stripeSubscriptionId', 'Stripe_Subscription_Id__c'],
];

/** Longest text Salesforce keeps in a text area of the default size. */
const MAX_ERROR_TEXT = 32_768;

/** Updates the integration fields (an update is idempotent: repeating it writes the same values). */
export async function updateOpportunityStatus(client: SalesforceClient, input: OpportunityIntegrationUpdate): Promise<void> {
  const body: Record<string, string | null> = {};
  for (const [key, field] of FIELDS) {
    const value = input[key];
    if (value !== undefined) body[field] = value;
  }
  // A long stack of vendor errors must not make the write-back itself fail with STRING_TOO_LONG.
  if (typeof body['Integration_Error__c'] === 'string') body['Integration_Error__c'] = body['Integration_Error__c'].slice(0, MAX_ERROR_TEXT);
  const id = recordId(input.opportunityId, 'Opportunity id');
  if (input.account !== undefined) {
    const [result] = await updateRecords(client, {
      records: [
        { sobject: 'Opportunity', id, fields: body },
        { sobject: 'Account', id: recordId(input.account.accountId, 'Account id'), fields: { Stripe_Customer_Id__c: input.account.stripeCustomerId } },
      ],
      allOrNone: false,
    });
    if (result !== undefined && !result.success) {
      throw new InterlockError(result.code, `Salesforce refused the update of Opportunity ${id}: ${result.errorCode}: ${result.message}`, {
        details: { vendor: 'salesforce', errorCode: result.errorCode, fields: result.fields },
      });
    }
    return;
  }
  if (Object.keys(body).length === 0) return;
  await client.rest({ method: 'PATCH', path: `sobjects/Opportunity/${id}`, json: body });
}
