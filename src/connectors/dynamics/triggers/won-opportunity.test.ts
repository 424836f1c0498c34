import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SandboxInstance } from '../../../sandboxes/kit/index.ts';
import { literal } from '../actions/odata.ts';
import { queryRecords } from '../actions/query-records.ts';
import { updateOpportunity } from '../actions/update-opportunity.ts';
import type { DynamicsClient } from '../client.ts';
import { clientOf, startDynamics } from '../test-support.ts';
import type { DynamicsChangeEvent } from './webhook.ts';
import { OPPORTUNITY_CLOSED_WON, wonOpportunityEvents, type ClosedWonEvent } from './won-opportunity.ts';

const change = (over: Partial<DynamicsChangeEvent>): DynamicsChangeEvent => ({
  id: 'op-1', message: 'Update', entity: 'opportunity', recordId: '', changed: {}, postImage: undefined, version: 1, occurredAt: 1_767_225_600_000, correlationId: undefined, stepId: undefined, ...over,
});

describe('Dynamics 365 won-opportunity trigger', () => {
  let sandbox: SandboxInstance;
  let client: DynamicsClient;
  let won: string;
  let accountId: string;

  before(async () => {
    sandbox = await startDynamics();
    client = clientOf(sandbox);
    for await (const r of queryRecords(client, { entitySet: 'opportunities', select: ['opportunityid', '_customerid_value'], filter: `name eq ${literal('Fabrikam cooling loop valves')}` })) {
      won = String(r['opportunityid']);
      accountId = String(r['_customerid_value']);
    }
    await client.api({ method: 'POST', path: 'WinOpportunity', json: { Status: 3, OpportunityClose: { 'opportunityid@odata.bind': `/opportunities(${won})` } } });
    await updateOpportunity(client, { opportunityId: won, integrationStatus: 'Error', integrationError: 'SAP refused the order: credit block' });
  });
  after(async () => {
    await client.close();
    await sandbox.close();
  });

  it('emits opportunity.closed-won when statecode becomes Won, once per notification id', async () => {
    const win = change({ id: 'op-win', recordId: won, changed: { statecode: 1, statuscode: 3 } });
    const events = await wonOpportunityEvents(client, [win, win]);
    assert.equal(events.length, 1);
    const body = JSON.parse(events[0]?.body ?? '{}') as ClosedWonEvent;
    assert.deepEqual(body, { id: `op-win:${won}`, type: OPPORTUNITY_CLOSED_WON, opportunityId: won, reason: 'closed-won', changedAt: 1_767_225_600_000 });
    assert.equal(events[0]?.source, 'dynamics');
    assert.equal(events[0]?.eventId, body.id);
  });

  it("ignores Interlock's own write-backs and deletes", async () => {
    const own = change({ id: 'op-own', recordId: won, changed: { il_integrationstatus: 'Synced', il_erpordernumber: '4711', modifiedon: '2026-01-01T00:00:00.000Z' } });
    const deleted = change({ id: 'op-del', message: 'Delete', recordId: won });
    assert.deepEqual(await wonOpportunityEvents(client, [own, deleted]), []);
  });

  it('wakes a won deal in Error when a person edits it, one of its lines or its account', async () => {
    const edit = change({ id: 'op-edit', recordId: won, changed: { description: 'fixed the ship-to' } });
    const line = change({ id: 'op-line', entity: 'opportunityproduct', recordId: '9a000000-0000-4000-a000-000000000001', changed: { quantity: 41 }, postImage: { opportunityid: { id: won, logicalName: 'opportunity' } } });
    const account = change({ id: 'op-acct', entity: 'account', recordId: accountId, changed: { creditonhold: false } });
    const events = await wonOpportunityEvents(client, [edit, line, account]);
    const bodies = events.map((e) => JSON.parse(e.body) as ClosedWonEvent);
    assert.deepEqual(bodies.map((b) => [b.id, b.reason]), [[`op-edit:${won}`, 'changed-while-in-error'], [`op-line:${won}`, 'changed-while-in-error'], [`op-acct:${won}`, 'changed-while-in-error']]);
    await updateOpportunity(client, { opportunityId: won, integrationStatus: 'Synced', integrationError: null });
    assert.deepEqual(await wonOpportunityEvents(client, [edit]), []);
  });
});
