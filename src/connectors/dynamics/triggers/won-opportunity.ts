/**
 * Turns Dataverse change notifications into the `opportunity.closed-won` events lead-to-order
 * runs on (the same event type and body as the Salesforce trigger, so the same flow serves both).
 *
 * An event is emitted when an opportunity's `statecode` becomes 1 (Won), and when a person
 * changes a won opportunity whose `il_integrationstatus` is Error — the opportunity, one of its
 * product lines or its customer account — since that change may be the fix the waiting run is
 * for. Interlock's own write-backs (the `il_` integration columns) emit nothing, or every
 * write-back would wake the run that made it. Event ids derive from the notification's id, so a
 * notification delivered twice is absorbed by the inbox.
 */
import type { InboundEvent } from '../../../engine/inbox.ts';
import { ClosedWonBatch, type ClosedWonEvent } from '../../kit/closed-won-event.ts';
import { guid } from '../actions/odata.ts';
import { queryRecords } from '../actions/query-records.ts';
import type { DynamicsClient } from '../client.ts';
import type { DynamicsChangeEvent, DynamicsReference } from './webhook.ts';

/** The inbox source of these events. */
export const DYNAMICS_SOURCE = 'dynamics';

// Columns Interlock writes back, and those the platform stamps on every save.
const OWN_COLUMNS: ReadonlySet<string> = new Set([
  'il_integrationstatus', 'il_integrationerror', 'il_erpordernumber', 'il_shipmentstatus', 'il_billingstatus', 'il_paymentstatus', 'il_erpcustomerid',
  'il_creditstatus', 'modifiedon', 'modifiedby', 'versionnumber', 'opportunityid', 'accountid', 'opportunityproductid',
]);

/** The inbound events `changes` call for (reading Dataverse to relate fixes to their deals). */
export async function wonOpportunityEvents(client: DynamicsClient, changes: readonly DynamicsChangeEvent[]): Promise<InboundEvent[]> {
  const batch = new ClosedWonBatch(DYNAMICS_SOURCE);
  const emit = (change: DynamicsChangeEvent, opportunityId: string, reason: ClosedWonEvent['reason']): void =>
    batch.add(change.id, opportunityId, reason, change.occurredAt ?? 0);
  for (const change of changes) {
    if (change.message === 'Delete') continue;
    const byPerson = change.message !== 'Update' || Object.keys(change.changed).some((c) => !OWN_COLUMNS.has(c));
    if (!byPerson) continue;
    if (change.entity === 'opportunity') {
      if (change.changed['statecode'] === 1) emit(change, change.recordId, 'closed-won');
      else for (const id of await wonInError(client, `opportunityid eq ${guid(change.recordId, 'opportunityid')}`)) emit(change, id, 'changed-while-in-error');
    } else if (change.entity === 'opportunityproduct') {
      const parent = (change.postImage?.['opportunityid'] ?? change.changed['opportunityid']) as DynamicsReference | undefined;
      const opportunityId = typeof parent === 'object' && parent !== null ? parent.id : await parentOfLine(client, change.recordId);
      if (opportunityId !== undefined) for (const id of await wonInError(client, `opportunityid eq ${guid(opportunityId, 'opportunityid')}`)) emit(change, id, 'changed-while-in-error');
    } else if (change.entity === 'account') {
      for (const id of await wonInError(client, `_customerid_value eq ${guid(change.recordId, 'accountid')}`)) emit(change, id, 'changed-while-in-error');
    }
  }
  return batch.events();
}

async function wonInError(client: DynamicsClient, related: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const row of queryRecords(client, { entitySet: 'opportunities', select: ['opportunityid'], filter: `statecode eq 1 and il_integrationstatus eq 'Error' and (${related})` })) {
    ids.push(String(row['opportunityid']));
  }
  return ids;
}

async function parentOfLine(client: DynamicsClient, lineId: string): Promise<string | undefined> {
  for await (const row of queryRecords(client, { entitySet: 'opportunityproducts', select: ['_opportunityid_value'], filter: `opportunityproductid eq ${guid(lineId, 'opportunityproductid')}` })) {
    return typeof row['_opportunityid_value'] === 'string' ? row['_opportunityid_value'] : undefined;
  }
  return undefined;
}

export { OPPORTUNITY_CLOSED_WON, type ClosedWonEvent } from '../../kit/closed-won-event.ts';
