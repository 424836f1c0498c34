import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { InterlockError } from '../../../core/errors.ts';
import type { SandboxInstance } from '../../../sandboxes/kit/index.ts';
import type { SalesforceClient } from '../client.ts';
import { clientOf, patchFaults, startSalesforce } from '../test-support.ts';
import { getOpportunity } from './get-opportunity.ts';
import { queryRecords } from './query-records.ts';
import { updateOpportunityStatus } from './update-opportunity-status.ts';
import { updateRecords } from './update-records.ts';
import { upsertRecord } from './upsert-record.ts';

describe('Salesforce actions', () => {
  let sandbox: SandboxInstance;
  let client: SalesforceClient;
  let opportunityIds: string[];

  before(async () => {
    sandbox = await startSalesforce();
    client = clientOf(sandbox);
    opportunityIds = [];
    for await (const r of queryRecords(client, { soql: 'SELECT Id FROM Opportunity ORDER BY Name' })) opportunityIds.push(String(r['Id']));
  });
  after(async () => {
    await client.close();
    await sandbox.close();
  });

  it('reads an opportunity with its lines and account in one query', async () => {
    const id = opportunityIds[0] ?? assert.fail('no seeded opportunity');
    const before = client.apiUsage?.used ?? 0;
    const opp = await getOpportunity(client, { opportunityId: id });
    assert.equal(client.apiUsage?.used, before + 1);
    assert.equal(opp.Id, id);
    assert.ok(opp.Account !== null && opp.Account.Id === opp.AccountId && typeof opp.Account.Legal_Entity__c === 'string');
    const lines = opp.OpportunityLineItems?.records ?? [];
    assert.ok(lines.length > 0);
    for (const line of lines) {
      assert.equal(typeof line.Product2?.ProductCode, 'string');
      assert.equal(typeof line.Quantity, 'number');
    }
    // The rolled-up amount is the sum of the lines the query returned: nothing was left out.
    assert.equal(opp.Amount, lines.reduce((sum, l) => sum + (l.TotalPrice ?? 0), 0));
  });

  it('answers not-found for a missing opportunity and validation for a malformed id', async () => {
    await assert.rejects(getOpportunity(client, { opportunityId: '006000000000999AAA' }), (e) => e instanceof InterlockError && e.code === 'not-found');
    await assert.rejects(getOpportunity(client, { opportunityId: "006' OR Name != '" }), (e) => e instanceof InterlockError && e.code === 'validation');
  });

  it('pages a query through nextRecordsUrl and stops fetching when the caller stops', async () => {
    // 450 matching rows in batches of 200: three requests, the last two through nextRecordsUrl.
    for (let i = 0; i < 450; i++) {
      await client.rest({ method: 'POST', path: 'sobjects/Account', json: { Name: `Bulk ${String(i).padStart(3, '0')}` } });
    }
    const names: string[] = [];
    const start = client.apiUsage?.used ?? 0;
    for await (const r of queryRecords(client, { soql: "SELECT Name FROM Account WHERE Name LIKE 'Bulk%' ORDER BY Name", batchSize: 200 })) {
      names.push(String(r['Name']));
    }
    assert.equal(client.apiUsage?.used, start + 3);
    assert.equal(names.length, 450);
    assert.equal(new Set(names).size, 450);
    assert.equal(names[449], 'Bulk 449');
    const partial = client.apiUsage?.used ?? 0;
    let seen = 0;
    for await (const r of queryRecords(client, { soql: "SELECT Name FROM Account WHERE Name LIKE 'Bulk%'", batchSize: 200 })) {
      assert.ok(r['Name']);
      if (++seen === 10) break;
    }
    assert.equal(client.apiUsage?.used, partial + 1);
  });

  it('writes the integration fields back onto an opportunity', async () => {
    const id = opportunityIds[1] ?? assert.fail('no seeded opportunity');
    await updateOpportunityStatus(client, { opportunityId: id, status: 'Error', error: 'Legal entity missing' });
    await updateOpportunityStatus(client, { opportunityId: id, status: 'Synced', error: null, netSuiteOrderNumber: 'SO-1001', stripeSubscriptionId: 'sub_123', stripeCustomerId: 'cus_9' });
    const opp = await getOpportunity(client, { opportunityId: id });
    assert.equal(opp.Integration_Status__c, 'Synced');
    assert.equal(opp.Integration_Error__c ?? null, null);
    assert.equal(opp.NetSuite_Order_Number__c, 'SO-1001');
    assert.equal(opp.Stripe_Subscription_Id__c, 'sub_123');
    assert.equal(opp.Stripe_Customer_Id__c, 'cus_9');
  });

  it("records the Stripe customer on the opportunity's Account in the same call; only the opportunity's refusal fails it", async () => {
    const id = opportunityIds[2] ?? assert.fail('no seeded opportunity');
    const accountId = (await getOpportunity(client, { opportunityId: id })).AccountId ?? assert.fail('the seeded opportunity has no account');
    const used = client.apiUsage?.used ?? 0;
    await updateOpportunityStatus(client, { opportunityId: id, status: 'Synced', error: null, stripeCustomerId: 'cus_acct', account: { accountId, stripeCustomerId: 'cus_acct' } });
    assert.equal(client.apiUsage?.used, used + 1, 'one call for both records');
    const opp = await getOpportunity(client, { opportunityId: id });
    assert.equal(opp.Integration_Status__c, 'Synced');
    assert.equal(opp.Stripe_Customer_Id__c, 'cus_acct');
    assert.equal(opp.Account?.Stripe_Customer_Id__c, 'cus_acct');
    // An account Salesforce refuses (here: gone) does not fail the write-back of the opportunity.
    await updateOpportunityStatus(client, { opportunityId: id, status: 'In Progress', account: { accountId: '001000000000000AAA', stripeCustomerId: 'cus_x' } });
    assert.equal((await getOpportunity(client, { opportunityId: id })).Integration_Status__c, 'In Progress');
    // The opportunity refused is an error in the taxonomy.
    await assert.rejects(
      updateOpportunityStatus(client, { opportunityId: '006000000000000AAA', status: 'Synced', account: { accountId, stripeCustomerId: 'cus_acct' } }),
      (err: InterlockError) => err instanceof InterlockError && /Opportunity 006000000000000AAA/.test(err.message),
    );
  });

  it('upserts by external id: the first call creates, a retry updates the same record', async () => {
    const input = { sobject: 'Account', externalIdField: 'External_Id__c', externalId: 'NS-CUST-77', fields: { Name: 'Globex Europe' } };
    const first = await upsertRecord(client, input);
    assert.equal(first.created, true);
    const retry = await upsertRecord(client, { ...input, fields: { Name: 'Globex Europe GmbH' } });
    assert.deepEqual(retry, { id: first.id, created: false });
    const rows = [];
    for await (const r of queryRecords(client, { soql: "SELECT Id, Name FROM Account WHERE External_Id__c = 'NS-CUST-77'" })) rows.push(r);
    assert.equal(rows.length, 1);
    assert.equal(rows[0]?.['Name'], 'Globex Europe GmbH');
    await assert.rejects(
      upsertRecord(client, { ...input, externalId: 'NOT-THERE', updateOnly: true }),
      (e) => e instanceof InterlockError && e.code === 'not-found',
    );
  });

  it('answers conflict when the external id matches several records', async () => {
    for (const Name of ['Twin A', 'Twin B']) await client.rest({ method: 'POST', path: 'sobjects/Account', json: { Name, External_Id__c: 'TWIN' } });
    await assert.rejects(
      upsertRecord(client, { sobject: 'Account', externalIdField: 'External_Id__c', externalId: 'TWIN', fields: { Name: 'Which?' } }),
      (e) => e instanceof InterlockError && e.code === 'conflict' && Array.isArray(e.details?.['matches']) && e.details['matches'].length === 2,
    );
  });

  it('updates several records in one collections call, reporting each failure by itself', async () => {
    const [a, b] = opportunityIds;
    assert.ok(a !== undefined && b !== undefined);
    const before = client.apiUsage?.used ?? 0;
    const results = await updateRecords(client, {
      records: [
        { sobject: 'Opportunity', id: a, fields: { Integration_Status__c: 'Pending' } },
        { sobject: 'Opportunity', id: b, fields: { No_Such_Field__c: 1 } },
      ],
    });
    assert.equal(client.apiUsage?.used, before + 1);
    assert.deepEqual(results[0], { id: a, success: true });
    assert.equal(results[1]?.success, false);
    assert.ok(results[1]?.success === false && results[1].code === 'validation' && results[1].errorCode === 'INVALID_FIELD');
    assert.equal((await getOpportunity(client, { opportunityId: a })).Integration_Status__c, 'Pending');
  });

  it('surfaces a rate limit on an action as rate-limited', async () => {
    await patchFaults(sandbox, { rateLimit: { burst: 1 } });
    await assert.rejects(getOpportunity(client, { opportunityId: opportunityIds[0] ?? '' }), (e) => e instanceof InterlockError && e.code === 'rate-limited');
  });
});
