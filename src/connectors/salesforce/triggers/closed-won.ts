/**
 * Turns Salesforce change events into the `opportunity.closed-won` events lead-to-order runs on.
 *
 * An event is emitted when an Opportunity's StageName becomes Closed Won, and when a person
 * changes a closed-won deal whose integration status is Error — the opportunity, one of its line
 * items or its account — because that change may be the fix the waiting run is for. Interlock's
 * own write-backs (integration, billing and id fields) emit nothing, or every write-back would
 * wake the run that made it. Event ids derive from the change event's id, so a change delivered
 * twice is absorbed by the inbox. The event's shape: `../../kit/closed-won-event.ts`.
 */
import type { InboundEvent } from '../../../engine/inbox.ts';
import type { PullTrigger } from '../../../engine/trigger-pump.ts';
import { ClosedWonBatch, type ClosedWonEvent } from '../../kit/closed-won-event.ts';
import { queryRecords } from '../actions/query-records.ts';
import { recordId } from '../actions/soql.ts';
import type { SalesforceClient } from '../client.ts';
import type { ChangeDataCaptureSubscriber, SalesforceChangeEvent } from './change-data-capture.ts';

/** The inbox source of these events. */
export const SALESFORCE_SOURCE = 'salesforce';

// Fields Interlock writes back, and those Salesforce stamps on every save.
const OWN_FIELDS: ReadonlySet<string> = new Set([
  'Integration_Status__c', 'Integration_Error__c', 'NetSuite_Order_Number__c', 'NetSuite_Customer_Id__c', 'Stripe_Customer_Id__c',
  'Stripe_Subscription_Id__c', 'Billing_Status__c', 'Last_Invoice_Id__c', 'Last_Payment_Date__c', 'Subscription_Status__c', 'Renewal_Of__c',
  'LastModifiedDate', 'LastModifiedById', 'SystemModstamp',
]);

/** The inbound events `changes` call for (reading Salesforce to relate fixes to their deals). */
export async function closedWonEvents(client: SalesforceClient, changes: readonly SalesforceChangeEvent[]): Promise<InboundEvent[]> {
  const batch = new ClosedWonBatch(SALESFORCE_SOURCE);
  const emit = (change: SalesforceChangeEvent, opportunityId: string, reason: ClosedWonEvent['reason']): void =>
    batch.add(change.id, opportunityId, reason, change.commitTimestamp);
  const suspects: Array<{ change: SalesforceChangeEvent; opportunities: string[]; lines: string[]; accounts: string[] }> = [];
  for (const change of changes) {
    if (change.changeType === 'DELETE' || change.changeType === 'GAP_DELETE') continue;
    const byPerson = change.changeType !== 'UPDATE' || change.changedFields.some((f) => !OWN_FIELDS.has(f));
    if (!byPerson) continue;
    if (change.entityName === 'Opportunity') {
      if (change.fields['StageName'] === 'Closed Won') {
        for (const id of change.recordIds) emit(change, id, 'closed-won');
      } else {
        suspects.push({ change, opportunities: change.recordIds, lines: [], accounts: [] });
      }
    } else if (change.entityName === 'OpportunityLineItem') {
      const parent = change.fields['OpportunityId'];
      if (typeof parent === 'string') suspects.push({ change, opportunities: [parent], lines: [], accounts: [] });
      else suspects.push({ change, opportunities: [], lines: change.recordIds, accounts: [] });
    } else if (change.entityName === 'Account') {
      suspects.push({ change, opportunities: [], lines: [], accounts: change.recordIds });
    }
  }
  for (const s of suspects) {
    for (const opportunityId of await dealsInError(client, s)) emit(s.change, opportunityId, 'changed-while-in-error');
  }
  return batch.events();
}

/** Closed-won opportunities in Error among those the change touched. */
async function dealsInError(client: SalesforceClient, s: { opportunities: string[]; lines: string[]; accounts: string[] }): Promise<string[]> {
  const list = (ids: string[]) => ids.map((id) => `'${recordId(id)}'`).join(', ');
  const opportunities = [...s.opportunities];
  if (s.lines.length > 0) {
    for await (const line of queryRecords(client, { soql: `SELECT OpportunityId FROM OpportunityLineItem WHERE Id IN (${list(s.lines)})` })) {
      if (typeof line['OpportunityId'] === 'string') opportunities.push(line['OpportunityId']);
    }
  }
  const related = [
    ...(opportunities.length > 0 ? [`Id IN (${list(opportunities)})`] : []),
    ...(s.accounts.length > 0 ? [`AccountId IN (${list(s.accounts)})`] : []),
  ];
  if (related.length === 0) return [];
  const soql = `SELECT Id FROM Opportunity WHERE StageName = 'Closed Won' AND Integration_Status__c = 'Error' AND (${related.join(' OR ')})`;
  const ids: string[] = [];
  for await (const row of queryRecords(client, { soql })) ids.push(String(row['Id']));
  return ids;
}

/** The closed-won trigger: CDC batches of `subscriber`, as `opportunity.closed-won` events. */
export function closedWonTrigger(client: SalesforceClient, subscriber: ChangeDataCaptureSubscriber): PullTrigger {
  return {
    name: `salesforce ${subscriber.cursorName}`,
    async next() {
      const batch = await subscriber.poll();
      return { events: await closedWonEvents(client, batch.events), ack: batch.ack };
    },
  };
}

export { OPPORTUNITY_CLOSED_WON, type ClosedWonEvent } from '../../kit/closed-won-event.ts';
