/**
 * Change Data Capture: events for every create/update/delete of the CDC entities with the real
 * header fields, replay from EARLIEST/LATEST/CUSTOM, long-poll, retention, Pub/Sub's replay id
 * error, and the duplicate/out-of-order delivery faults.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openStateStore } from '../kit/index.ts';
import type { SandboxInstance } from '../kit/index.ts';
import { ChangeEventLog, decodeReplayId, encodeReplayId } from './change-events.ts';
import type { ChangeEvent } from './change-events.ts';
import { createSalesforceSandbox } from './salesforce-sandbox.ts';
import { Transaction } from './store.ts';

interface Fetched {
  events: Array<{ event: { id: string; payload: Record<string, unknown> }; replayId: string }>;
  latestReplayId: string;
  pendingNumRequested: number;
}

interface Header {
  entityName: string;
  changeType: string;
  changedFields: string[];
  recordIds: string[];
  transactionKey: string;
  sequenceNumber: number;
  commitTimestamp: number;
  commitNumber: number;
  commitUser: string;
  changeOrigin: string;
}

const header = (e: Fetched['events'][number]): Header => e.event.payload['ChangeEventHeader'] as Header;

describe('Change Data Capture', () => {
  let sb: SandboxInstance;
  let token: string;
  const api = '/services/data/v61.0';

  const rest = async (method: string, path: string, body?: unknown): Promise<Response> =>
    fetch(`${sb.url}${api}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const fetchEvents = async (request: Record<string, unknown>, headers: Record<string, string> = { accesstoken: token }): Promise<{ status: number; body: unknown }> => {
    const res = await fetch(`${sb.url}/eventbus.v1.PubSub/Fetch`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ waitMs: 0, ...request }) });
    return { status: res.status, body: await res.json() };
  };

  before(async () => {
    sb = await createSalesforceSandbox().start({ seed: true });
    const res = await fetch(`${sb.url}/services/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&client_id=interlock-sandbox-client&client_secret=interlock-sandbox-secret',
    });
    token = ((await res.json()) as { access_token: string }).access_token;
  });
  after(() => sb.close());

  it('starts empty after seeding, and publishes CREATE, UPDATE and DELETE with the header fields', async () => {
    const empty = (await fetchEvents({ topicName: '/data/ChangeEvents', replayPreset: 'EARLIEST' })).body as Fetched;
    assert.equal(empty.events.length, 0);
    const id = ((await (await rest('POST', '/sobjects/Account', { Name: 'CDC Co', External_Id__c: 'CDC-1' })).json()) as { id: string }).id;
    await rest('PATCH', `/sobjects/Account/${id}`, { Name: 'CDC Co 2', Phone: '555' });
    await rest('DELETE', `/sobjects/Account/${id}`);
    await rest('POST', '/sobjects/Contact', { LastName: 'Not captured' });
    const got = (await fetchEvents({ topicName: '/data/AccountChangeEvent', replayPreset: 'EARLIEST' })).body as Fetched;
    assert.deepEqual(got.events.map((e) => header(e).changeType), ['CREATE', 'UPDATE', 'DELETE']);
    const [created, updated] = got.events;
    assert.ok(created && updated);
    assert.deepEqual(header(created).recordIds, [id]);
    assert.deepEqual(header(created).changedFields, []);
    assert.equal(created.event.payload['Name'], 'CDC Co');
    assert.deepEqual(header(updated).changedFields.sort(), ['LastModifiedDate', 'Name', 'Phone']);
    assert.equal(updated.event.payload['Name'], 'CDC Co 2');
    assert.equal(updated.event.payload['External_Id__c'], undefined, 'UPDATE carries only changed fields');
    assert.equal(header(updated).changeOrigin, 'com/salesforce/api/rest/61.0');
    assert.match(header(updated).commitUser, /^005/);
    assert.equal(typeof header(updated).commitTimestamp, 'number');
    assert.ok(header(updated).commitNumber > header(created).commitNumber);
    const replays = got.events.map((e) => decodeReplayId(e.replayId) ?? 0);
    assert.deepEqual([...replays].sort((a, b) => a - b), replays);
    assert.equal(got.latestReplayId, got.events[2]?.replayId);
  });

  it('numbers the changes of one transaction and reports rolled-up parent updates in it', async () => {
    const before = (await fetchEvents({ topicName: '/data/ChangeEvents', replayPreset: 'LATEST' })).body as Fetched;
    const opp = ((await (await rest('GET', `/query?q=${encodeURIComponent("SELECT Id FROM Opportunity WHERE Name = 'Initech - Support Upgrade'")}`)).json()) as { records: Array<{ Id: string }> }).records[0];
    const entry = ((await (await rest('GET', `/query?q=${encodeURIComponent("SELECT Id FROM PricebookEntry WHERE ProductCode = 'SEAT-ADDON'")}`)).json()) as { records: Array<{ Id: string }> }).records[0];
    await rest('POST', '/sobjects/OpportunityLineItem', { OpportunityId: opp?.Id, PricebookEntryId: entry?.Id, Quantity: 5 });
    const got = (await fetchEvents({ topicName: '/data/ChangeEvents', replayPreset: 'CUSTOM', replayId: before.latestReplayId })).body as Fetched;
    assert.deepEqual(got.events.map((e) => [header(e).entityName, header(e).changeType, header(e).sequenceNumber]), [
      ['OpportunityLineItem', 'CREATE', 1],
      ['Opportunity', 'UPDATE', 2],
    ]);
    assert.equal(header(got.events[0] as Fetched['events'][number]).transactionKey, header(got.events[1] as Fetched['events'][number]).transactionKey);
  });

  it('resumes after a replay id and long-polls until something new is committed', async () => {
    const now = (await fetchEvents({ topicName: '/data/OpportunityChangeEvent', replayPreset: 'LATEST' })).body as Fetched;
    assert.equal(now.events.length, 0);
    const waiting = fetchEvents({ topicName: '/data/OpportunityChangeEvent', replayPreset: 'CUSTOM', replayId: now.latestReplayId, waitMs: 30_000 });
    const opp = ((await (await rest('GET', `/query?q=${encodeURIComponent("SELECT Id FROM Opportunity WHERE Name = 'Globex - Expansion'")}`)).json()) as { records: Array<{ Id: string }> }).records[0];
    await rest('PATCH', `/sobjects/Opportunity/${opp?.Id}`, { StageName: 'Closed Won' });
    const got = (await waiting).body as Fetched;
    assert.equal(got.events.length, 1);
    assert.equal(got.events[0]?.event.payload['StageName'], 'Closed Won');
    assert.equal(got.events[0]?.event.payload['IsWon'], true);
    const again = (await fetchEvents({ topicName: '/data/OpportunityChangeEvent', replayPreset: 'CUSTOM', replayId: got.latestReplayId })).body as Fetched;
    assert.equal(again.events.length, 0);
  });

  it('refuses unknown replay ids, topics and tokens as Pub/Sub does', async () => {
    const bad = await fetchEvents({ topicName: '/data/ChangeEvents', replayPreset: 'CUSTOM', replayId: encodeReplayId(10_000) });
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.body, {
      grpcStatus: 'INVALID_ARGUMENT',
      errorCode: 'sfdc.platform.eventbus.grpc.subscription.fetch.replayid.corrupted',
      message: 'The Replay ID validation failed. Ensure that the replay_id field value in FetchRequest is valid and refers to an event that is within the retention window.',
    });
    assert.equal((await fetchEvents({ topicName: '/data/ContactChangeEvent', replayPreset: 'EARLIEST' })).status, 404);
    assert.equal((await fetchEvents({ topicName: '/data/ChangeEvents' }, { accesstoken: 'forged' })).status, 401);
    assert.equal((await fetchEvents({ topicName: '/data/ChangeEvents', replayPreset: 'EARLIEST' }, { authorization: `Bearer ${token}` })).status, 200);
  });

  it('delivers events twice under duplicateEventRate and shuffled under outOfOrderEvents', async () => {
    const all = (await fetchEvents({ topicName: '/data/ChangeEvents', replayPreset: 'EARLIEST' })).body as Fetched;
    sb.faults.patch({ duplicateEventRate: 1 });
    const doubled = (await fetchEvents({ topicName: '/data/ChangeEvents', replayPreset: 'EARLIEST' })).body as Fetched;
    sb.faults.patch({ duplicateEventRate: 0, outOfOrderEvents: true });
    const shuffled = (await fetchEvents({ topicName: '/data/ChangeEvents', replayPreset: 'EARLIEST' })).body as Fetched;
    sb.faults.patch({ outOfOrderEvents: false });
    assert.equal(doubled.events.length, all.events.length * 2);
    assert.equal(doubled.latestReplayId, all.latestReplayId);
    assert.deepEqual(shuffled.events.map((e) => e.replayId).sort(), all.events.map((e) => e.replayId).sort());
    assert.notDeepEqual(shuffled.events.map((e) => e.replayId), all.events.map((e) => e.replayId));
  });
});

describe('ChangeEventLog retention', () => {
  it('drops events older than the window, after which their replay position is refused', () => {
    const kit = openStateStore();
    const log = new ChangeEventLog(kit.collection<ChangeEvent>('events'), kit.collection<{ n: number }>('meta'), 60_000);
    const tx = new Transaction('test');
    tx.note({ entityName: 'Account', changeType: 'CREATE', recordId: '001Hs0000000001IAA', changedFields: [], values: { Name: 'A' } });
    tx.note({ entityName: 'Order', changeType: 'CREATE', recordId: '801Hs0000000001IAA', changedFields: [], values: {} });
    log.append(tx);
    assert.equal(log.after(0, null, 100).length, 2);
    log.prune(Date.now() + 30_000);
    assert.equal(log.after(0, null, 100).length, 2);
    log.prune(Date.now() + 61_000);
    assert.deepEqual([log.after(0, null, 100).length, log.prunedThrough(), log.latest()], [0, 2, 2]);
  });

  it('encodes replay ids as opaque base64 bytes and refuses anything else', () => {
    assert.equal(decodeReplayId(encodeReplayId(12_345)), 12_345);
    assert.equal(decodeReplayId('not-base64!'), undefined);
    assert.equal(decodeReplayId(42), undefined);
  });
});
