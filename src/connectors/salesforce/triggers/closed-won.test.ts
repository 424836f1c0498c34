import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createTestStore } from '../../../../test/support/stores.ts';
import type { SandboxInstance } from '../../../sandboxes/kit/index.ts';
import { CursorStore } from '../../kit/cursor-store.ts';
import type { SalesforceClient } from '../client.ts';
import { clientOf, startSalesforce } from '../test-support.ts';
import { ChangeDataCaptureSubscriber } from './change-data-capture.ts';
import { closedWonTrigger, OPPORTUNITY_CLOSED_WON } from './closed-won.ts';
import type { ClosedWonEvent } from './closed-won.ts';

describe('Salesforce closed-won trigger', () => {
  let sandbox: SandboxInstance;
  let client: SalesforceClient;
  let testStore: Awaited<ReturnType<typeof createTestStore>>;
  let cursorName = 0;

  before(async () => {
    sandbox = await startSalesforce();
    client = clientOf(sandbox);
    testStore = await createTestStore('sqlite');
  });
  after(async () => {
    await client.close();
    await sandbox.close();
    await testStore.dispose();
  });
  beforeEach(async () => {
    await sandbox.reset();
  });

  const idOf = async (soql: string): Promise<string> => {
    const res = await client.rest<{ records: Array<{ Id: string }> }>({ method: 'GET', path: 'query', query: { q: soql } });
    const id = res.body.records[0]?.Id;
    assert.ok(id, `no record for ${soql}`);
    return id;
  };
  const patch = (type: string, id: string, fields: Record<string, unknown>) => client.rest({ method: 'PATCH', path: `sobjects/${type}/${id}`, json: fields });

  /** Every event the trigger emits for what happened since the sandbox was reset. */
  async function emitted(): Promise<ClosedWonEvent[]> {
    const subscriber = new ChangeDataCaptureSubscriber(client, { cursors: new CursorStore(testStore.store, `sf-${++cursorName}`), startFrom: 'EARLIEST', waitMs: 0 });
    const trigger = closedWonTrigger(client, subscriber);
    const out: ClosedWonEvent[] = [];
    for (;;) {
      const batch = await trigger.next();
      await batch.ack();
      const fetched = batch.events.map((e) => {
        assert.equal(e.source, 'salesforce');
        const body = JSON.parse(e.body) as ClosedWonEvent;
        assert.equal(body.id, e.eventId);
        return body;
      });
      out.push(...fetched);
      // An empty batch ends the log (the trigger may also emit nothing for a non-empty one).
      if (batch.events.length === 0 && (await subscriber.poll()).events.length === 0) return out;
    }
  }

  it('emits one closed-won event when a deal is won, and nothing for other stage changes', async () => {
    const won = await idOf("SELECT Id FROM Opportunity WHERE Name = 'Initech - Support Upgrade'");
    const other = await idOf("SELECT Id FROM Opportunity WHERE Name = 'Umbrella - New Logo'");
    await patch('Opportunity', other, { StageName: 'Negotiation/Review' });
    await patch('Opportunity', won, { StageName: 'Closed Won' });
    const events = await emitted();
    assert.deepEqual(
      events.map((e) => [e.type, e.opportunityId, e.reason]),
      [[OPPORTUNITY_CLOSED_WON, won, 'closed-won']],
    );
  });

  it("ignores Interlock's own write-backs, so a run's status updates never wake it", async () => {
    const won = await idOf("SELECT Id FROM Opportunity WHERE Name = 'Initech - Support Upgrade'");
    await patch('Opportunity', won, { StageName: 'Closed Won' });
    await patch('Opportunity', won, { Integration_Status__c: 'Error', Integration_Error__c: 'Currency missing' });
    await patch('Opportunity', won, { NetSuite_Order_Number__c: 'SO-1', Stripe_Subscription_Id__c: 'sub_1' });
    assert.deepEqual((await emitted()).map((e) => e.reason), ['closed-won']);
  });

  it('emits for a change to the line, the opportunity or the account of a deal in Error, as the possible fix', async () => {
    const won = await idOf("SELECT Id FROM Opportunity WHERE Name = 'Acme - Platform 2025'");
    const line = await idOf(`SELECT Id FROM OpportunityLineItem WHERE OpportunityId = '${won}' AND Billing_Frequency__c = 'Monthly'`);
    const account = (await client.rest<{ AccountId: string }>({ method: 'GET', path: `sobjects/Opportunity/${won}`, query: { fields: 'AccountId' } })).body.AccountId;
    // A deal not in error: a line change is no fix and emits nothing.
    const fine = await idOf("SELECT Id FROM Opportunity WHERE Name = 'Initech - Support Upgrade'");
    await patch('OpportunityLineItem', await idOf(`SELECT Id FROM OpportunityLineItem WHERE OpportunityId = '${fine}'`), { Quantity: 3 });

    await patch('Opportunity', won, { StageName: 'Closed Won' });
    await patch('Opportunity', won, { Integration_Status__c: 'Error', Integration_Error__c: 'Recurring lines bill Annual and Monthly' });
    await patch('OpportunityLineItem', line, { Billing_Frequency__c: 'Annual' });
    await patch('Opportunity', won, { Description: 'fixed the billing terms' });
    await patch('Account', account, { BillingCity: 'Oakland' });
    const events = await emitted();
    assert.deepEqual(
      events.map((e) => [e.opportunityId, e.reason]),
      [[won, 'closed-won'], [won, 'changed-while-in-error'], [won, 'changed-while-in-error'], [won, 'changed-while-in-error']],
    );
    assert.equal(new Set(events.map((e) => e.id)).size, 4, 'each change gets its own event id');
  });

  it('gives a change delivered twice the same event id, so the inbox absorbs the copy', async () => {
    const won = await idOf("SELECT Id FROM Opportunity WHERE Name = 'Initech - Support Upgrade'");
    await patch('Opportunity', won, { StageName: 'Closed Won' });
    const first = await emitted();
    const second = await emitted();
    assert.equal(first.length, 1);
    assert.deepEqual(second.map((e) => e.id), first.map((e) => e.id));
  });
});
