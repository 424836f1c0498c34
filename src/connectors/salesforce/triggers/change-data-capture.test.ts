import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestStore } from '../../../../test/support/stores.ts';
import { InterlockError } from '../../../core/errors.ts';
import type { SandboxInstance } from '../../../sandboxes/kit/index.ts';
import { CursorStore } from '../../kit/cursor-store.ts';
import type { SalesforceClient } from '../client.ts';
import { clientOf, patchFaults, startSalesforce } from '../test-support.ts';
import { ChangeDataCaptureSubscriber } from './change-data-capture.ts';
import type { SalesforceChangeEvent } from './change-data-capture.ts';

describe('Salesforce Change Data Capture subscriber', () => {
  let sandbox: SandboxInstance;
  let writer: SalesforceClient;
  let testStore: Awaited<ReturnType<typeof createTestStore>>;
  let opportunityIds: string[];

  before(async () => {
    sandbox = await startSalesforce();
    writer = clientOf(sandbox);
    testStore = await createTestStore('sqlite');
    const res = await writer.rest<{ records: Array<{ Id: string }> }>({ method: 'GET', path: 'query', query: { q: 'SELECT Id FROM Opportunity ORDER BY Name' } });
    opportunityIds = res.body.records.map((r) => r.Id);
  });
  after(async () => {
    await writer.close();
    await sandbox.close();
    await testStore.dispose();
  });

  /** Makes one change event per call: the n-th status on the first opportunity. */
  async function change(status: string): Promise<void> {
    await writer.rest({ method: 'PATCH', path: `sobjects/Opportunity/${opportunityIds[0]}`, json: { Integration_Status__c: status } });
  }

  function subscriber(client: SalesforceClient, connector: string): ChangeDataCaptureSubscriber {
    return new ChangeDataCaptureSubscriber(client, {
      cursors: new CursorStore(testStore.store, connector),
      topic: '/data/OpportunityChangeEvent',
      startFrom: 'EARLIEST',
      batchSize: 3,
      waitMs: 0,
    });
  }

  /** Everything a fresh process would read now, acknowledging as it goes. */
  async function drain(sub: ChangeDataCaptureSubscriber): Promise<SalesforceChangeEvent[]> {
    const all: SalesforceChangeEvent[] = [];
    for (;;) {
      const batch = await sub.poll();
      await batch.ack();
      if (batch.events.length === 0) return all;
      all.push(...batch.events);
    }
  }

  const statuses = (events: SalesforceChangeEvent[]): unknown[] => events.map((e) => e.fields['Integration_Status__c']);

  it('yields change events with their header fields', async () => {
    const client = clientOf(sandbox);
    try {
      await change('h1');
      const events = await drain(subscriber(client, 'sf:header'));
      const last = events.at(-1);
      assert.ok(last !== undefined);
      assert.equal(last.entityName, 'Opportunity');
      assert.equal(last.changeType, 'UPDATE');
      assert.deepEqual(last.recordIds, [opportunityIds[0]]);
      assert.ok(last.changedFields.includes('Integration_Status__c'));
      assert.equal(last.fields['Integration_Status__c'], 'h1');
      assert.ok(last.commitTimestamp > 0 && Number.isInteger(last.sequence) && last.transactionKey !== '');
    } finally {
      await client.close();
    }
  });

  it('resumes after a restart from the stored replay id, without gaps or repeats', async () => {
    const first = clientOf(sandbox);
    const seen: SalesforceChangeEvent[] = [];
    for (const s of ['r1', 'r2', 'r3', 'r4', 'r5']) await change(s);
    seen.push(...(await drain(subscriber(first, 'sf:restart'))));
    await first.close();
    // The process is gone; changes go on meanwhile.
    for (const s of ['r6', 'r7']) await change(s);
    const second = clientOf(sandbox);
    try {
      const resumed = await drain(subscriber(second, 'sf:restart'));
      assert.deepEqual(statuses(resumed), ['r6', 'r7']);
      seen.push(...resumed);
      const ours = statuses(seen).filter((s) => typeof s === 'string' && s.startsWith('r'));
      assert.deepEqual(ours, ['r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7']);
      assert.equal(new Set(seen.map((e) => e.replayId)).size, seen.length);
    } finally {
      await second.close();
    }
  });

  it('delivers a batch that was never acknowledged again after a restart', async () => {
    const client = clientOf(sandbox);
    try {
      await drain(subscriber(client, 'sf:unacked'));
      for (const s of ['u1', 'u2']) await change(s);
      const crashed = await subscriber(client, 'sf:unacked').poll();
      assert.deepEqual(statuses(crashed.events), ['u1', 'u2']);
      // No ack: the worker died while handling the batch.
      const again = await drain(subscriber(client, 'sf:unacked'));
      assert.deepEqual(statuses(again), ['u1', 'u2']);
      assert.deepEqual(await drain(subscriber(client, 'sf:unacked')), []);
    } finally {
      await client.close();
    }
  });

  it('moves the cursor on when the loop asks for the next batch', async () => {
    const client = clientOf(sandbox);
    try {
      await drain(subscriber(client, 'sf:loop'));
      for (const s of ['l1', 'l2', 'l3', 'l4']) await change(s);
      const got: unknown[] = [];
      const controller = new AbortController();
      for await (const batch of subscriber(client, 'sf:loop').batches(controller.signal)) {
        got.push(...statuses(batch.events));
        if (got.length >= 4) {
          await batch.ack();
          controller.abort();
        }
      }
      assert.deepEqual(got, ['l1', 'l2', 'l3', 'l4']);
      assert.deepEqual(await drain(subscriber(client, 'sf:loop')), []);
    } finally {
      await client.close();
    }
  });

  it('absorbs an event delivered twice in one batch', async () => {
    const client = clientOf(sandbox);
    try {
      await drain(subscriber(client, 'sf:dup'));
      await patchFaults(sandbox, { duplicateEventRate: 1 });
      await change('d1');
      await change('d2');
      const events = await drain(subscriber(client, 'sf:dup'));
      assert.deepEqual(statuses(events), ['d1', 'd2']);
    } finally {
      await patchFaults(sandbox, { duplicateEventRate: 0 });
      await client.close();
    }
  });

  it('fails as validation, naming Pub/Sub\'s error, when the stored replay id is no longer valid', async () => {
    const client = clientOf(sandbox);
    try {
      // E.g. a cursor older than the 72-hour retention: the position is lost and an operator must decide.
      await new CursorStore(testStore.store, 'sf:lost').set('cdc:/data/OpportunityChangeEvent', 'AAAAAAAAJxA=', undefined);
      await assert.rejects(
        subscriber(client, 'sf:lost').poll(),
        (e) => e instanceof InterlockError && e.code === 'validation' && e.details?.['errorCode'] === 'sfdc.platform.eventbus.grpc.subscription.fetch.replayid.corrupted',
      );
    } finally {
      await client.close();
    }
  });

  it('refuses to advance a cursor another subscriber already moved', async () => {
    const client = clientOf(sandbox);
    try {
      await drain(subscriber(client, 'sf:race'));
      await change('c1');
      const a = subscriber(client, 'sf:race');
      const b = subscriber(client, 'sf:race');
      const [batchA, batchB] = [await a.poll(), await b.poll()];
      await batchA.ack();
      await assert.rejects(batchB.ack(), (e) => e instanceof Error && 'code' in e && e.code === 'conflict');
    } finally {
      await client.close();
    }
  });
});
