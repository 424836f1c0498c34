/**
 * Batch syncs against the seeded sandboxes, on both stores: incremental by cursor, deletes
 * retired, full resync on demand, products and price books, one instance at a time under the
 * lease, schedules kept in the store, and a run killed with SIGKILL resuming from its cursor
 * without gaps or duplicates.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { after, before, it } from 'node:test';
import { suiteQl } from '../../src/connectors/netsuite/actions/suiteql-query.ts';
import { queryRecords } from '../../src/connectors/salesforce/actions/query-records.ts';
import { ManualClock, systemClock } from '../../src/core/clock.ts';
import { startSandboxes, type Sandboxes } from '../../src/flows/lead-to-order/test-support.ts';
import type { Store } from '../../src/store/store.ts';
import { ApiBudget } from '../../src/sync/batch/budget.ts';
import { SyncScheduler } from '../../src/sync/batch/scheduler.ts';
import { SyncSchedules } from '../../src/sync/batch/schedules.ts';
import { runSync, type SyncCounts } from '../../src/sync/batch/sync-runner.ts';
import { customersSync } from '../../src/sync/batch/syncs/customers.ts';
import { priceBooksSync } from '../../src/sync/batch/syncs/price-books.ts';
import { productsSync } from '../../src/sync/batch/syncs/products.ts';
import { connectSystems, type Systems } from '../../src/sync/systems/systems.ts';
import { describeEachStore } from '../support/stores.ts';

let sandboxes: Sandboxes;
before(async () => {
  sandboxes = await startSandboxes();
});
after(async () => {
  await sandboxes.close();
});

const unlimited = new ApiBudget({ budgets: {} });

async function netSuiteCustomers(systems: Systems): Promise<Map<string, { name: string; inactive: boolean }>> {
  const out = new Map<string, { name: string; inactive: boolean }>();
  for await (const r of suiteQl(systems.netsuite, { q: 'SELECT companyname, externalid, isinactive FROM customer WHERE externalid IS NOT NULL' })) {
    assert.equal(out.has(r['externalid'] ?? ''), false, `one customer per external id (${r['externalid']})`);
    out.set(r['externalid'] ?? '', { name: r['companyname'] ?? '', inactive: r['isinactive'] === 'T' });
  }
  return out;
}

async function accounts(systems: Systems): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for await (const a of queryRecords<{ Id: string; Name: string }>(systems.salesforce, { soql: "SELECT Id, Name FROM Account WHERE Type = 'Customer'" })) out.set(a.Id, a.Name);
  return out;
}

async function ok(store: Store, sync: Parameters<typeof runSync>[0], options: Parameters<typeof runSync>[2] = { owner: 'w1' }): Promise<SyncCounts> {
  const outcome = await runSync(sync, { store, clock: systemClock }, options);
  assert.equal(outcome.status, 'ok');
  return outcome.status === 'ok' ? outcome.counts : assert.fail();
}

describeEachStore('batch sync', (get) => {
  it('syncs customers incrementally from its cursor, retires deleted ones, and resyncs in full on demand', { timeout: 60_000 }, async () => {
    await sandboxes.reset();
    const systems = connectSystems(sandboxes.options);
    const sync = customersSync(systems, unlimited);
    const { store } = get();
    assert.deepEqual(await ok(store, sync, { owner: 'w1', batchSize: 3 }), { read: 4, written: 4, deleted: 0, skipped: 0, batches: 2 });
    const synced = await netSuiteCustomers(systems);
    for (const [id, name] of await accounts(systems)) assert.deepEqual(synced.get(id), { name, inactive: false });
    assert.deepEqual(await ok(store, sync), { read: 0, written: 0, deleted: 0, skipped: 0, batches: 0 }, 'nothing changed, nothing read');

    const [first, second] = [...(await accounts(systems)).keys()];
    await systems.salesforce.rest({ method: 'PATCH', path: `sobjects/Account/${first}`, json: { Name: 'Acme Renamed' } });
    await systems.salesforce.rest({ method: 'DELETE', path: `sobjects/Account/${second}` });
    assert.deepEqual(await ok(store, sync), { read: 2, written: 1, deleted: 1, skipped: 0, batches: 1 });
    const after = await netSuiteCustomers(systems);
    assert.deepEqual(after.get(first ?? ''), { name: 'Acme Renamed', inactive: false });
    assert.equal(after.get(second ?? '')?.inactive, true);

    await new SyncSchedules(store, systemClock).requestFull('customers');
    const full = await ok(store, sync);
    assert.equal(full.read, 4, 'a full resync reads every account again, the deleted one too');
    assert.equal((await new SyncSchedules(store, systemClock).list()).find((s) => s.name === 'customers')?.fullRequested, false);
    assert.equal((await netSuiteCustomers(systems)).size, synced.size, 'and creates nothing twice');
  });

  it('syncs product names and standard prices to NetSuite items by SKU, creating a new SKU once', { timeout: 60_000 }, async () => {
    await sandboxes.reset();
    const systems = connectSystems(sandboxes.options);
    const { store } = get();
    const products = productsSync(systems, unlimited);
    const prices = priceBooksSync(systems, unlimited);
    await ok(store, products);
    await ok(store, prices);
    const ids: Record<string, string> = {};
    for await (const p of queryRecords<{ Id: string; ProductCode: string }>(systems.salesforce, { soql: 'SELECT Id, ProductCode FROM Product2' })) ids[p.ProductCode] = p.Id;
    let entry = '';
    for await (const e of queryRecords<{ Id: string }>(systems.salesforce, { soql: `SELECT Id FROM PricebookEntry WHERE Product2Id = '${ids['TRAIN-DAY']}'` })) entry = e.Id;
    await systems.salesforce.rest({ method: 'PATCH', path: `sobjects/Product2/${ids['TRAIN-DAY']}`, json: { Name: 'Training Day (remote)' } });
    await systems.salesforce.rest({ method: 'PATCH', path: `sobjects/PricebookEntry/${entry}`, json: { UnitPrice: 1650 } });
    await systems.salesforce.rest({ method: 'POST', path: 'sobjects/Product2', json: { Name: 'Audit Pack', ProductCode: 'AUDIT-PACK', IsActive: true } });
    assert.deepEqual(await ok(store, products), { read: 2, written: 2, deleted: 0, skipped: 0, batches: 1 });
    assert.deepEqual(await ok(store, prices), { read: 1, written: 1, deleted: 0, skipped: 0, batches: 1 });
    await new SyncSchedules(store, systemClock).requestFull('products');
    await ok(store, products);
    const items: Record<string, { name: string; price: string }> = {};
    for await (const r of suiteQl(systems.netsuite, { q: 'SELECT externalid, displayname, baseprice FROM item' })) {
      assert.equal(items[r['externalid'] ?? ''], undefined, 'one item per SKU');
      items[r['externalid'] ?? ''] = { name: r['displayname'] ?? '', price: r['baseprice'] ?? '' };
    }
    assert.deepEqual(items['TRAIN-DAY'], { name: 'Training Day (remote)', price: '1650' });
    assert.equal(items['AUDIT-PACK']?.name, 'Audit Pack');
  });

  it('runs one instance of a sync at a time and keeps its schedule in the store across restarts', async () => {
    const { store } = get();
    const systems = connectSystems(sandboxes.options);
    const clock = new ManualClock(Date.parse('2026-03-01T10:00:30Z'));
    const schedules = new SyncSchedules(store, clock);
    await schedules.ensure('lease-test', '*/5 * * * *');
    assert.deepEqual(await schedules.claim('lease-test', 'worker-a', 60_000), { full: false });
    assert.equal(await schedules.claim('lease-test', 'worker-b', 60_000), undefined, 'held by worker-a');
    clock.advance(61_000);
    assert.deepEqual(await schedules.claim('lease-test', 'worker-b', 60_000), { full: false }, 'a dead holder keeps nobody waiting past its lease');
    assert.equal(await schedules.renew('lease-test', 'worker-a', 60_000), false, 'and the old holder learns it lost the lease');

    // The budget's buckets refill by the clock, which this test moves by hand: no budget here.
    const scheduler = new SyncScheduler({ store, clock, systems, budget: unlimited, only: ['customers'], crons: { customers: '0 3 * * *' } });
    await scheduler.init();
    const next = (await schedules.list()).find((s) => s.name === 'customers')?.nextAt;
    assert.equal(next, '2026-03-02T03:00:00.000Z');
    assert.deepEqual(await scheduler.tick(), {}, 'not due yet');
    // A restarted worker reads the same next run from the store.
    const restarted = new SyncScheduler({ store, clock, systems, budget: unlimited, only: ['customers'], crons: { customers: '0 3 * * *' } });
    await restarted.init();
    assert.equal((await schedules.list()).find((s) => s.name === 'customers')?.nextAt, next);

    // At the due time two workers tick at once: the sync runs once, then waits for its next time.
    await sandboxes.reset();
    clock.advance(Date.parse('2026-03-02T03:00:05Z') - clock.now());
    const outcomes = await Promise.all([scheduler.tick(), restarted.tick()]);
    const ran = outcomes.map((o) => o['customers']).filter((o) => o?.status === 'ok');
    assert.equal(ran.length, 1, JSON.stringify(outcomes));
    const after = (await schedules.list()).find((s) => s.name === 'customers');
    assert.equal(after?.nextAt, '2026-03-03T03:00:00.000Z');
    assert.equal(after?.lastStatus, 'ok');
    assert.deepEqual(await scheduler.tick(), {});
  });

  it('resumes a sync killed with SIGKILL from its cursor, without gaps or duplicates', { timeout: 90_000 }, async () => {
    await sandboxes.reset();
    const systems = connectSystems(sandboxes.options);
    const { store, config } = get();
    const total = 4 + 120;
    await systems.salesforce.rest({
      method: 'POST',
      path: 'composite/sobjects',
      json: { allOrNone: true, records: Array.from({ length: 120 }, (_, i) => ({ attributes: { type: 'Account' }, Name: `Bulk ${i}`, Type: 'Customer', Legal_Entity__c: 'Interlock US Inc' })) },
    });
    const settings = { store: config, systems: sandboxes.options, sync: 'customers', batchSize: 10, leaseMs: 1500, budgets: { netsuite: { perSecond: 40, burst: 1 } } };
    const child = spawn(process.execPath, [path.join(import.meta.dirname, 'support/sync-child.ts')], { env: { ...process.env, INTERLOCK_TEST_SYNC: JSON.stringify(settings) }, stdio: ['ignore', 'pipe', 'inherit'] });
    let printed = 0;
    await new Promise<void>((resolve, reject) => {
      child.stdout.setEncoding('utf8').on('data', (text: string) => {
        for (const m of text.matchAll(/^batch (\d+) /gm)) printed = Number(m[1]);
        if (printed >= 3) {
          child.kill('SIGKILL');
          resolve();
        }
        if (text.includes('done')) reject(new Error('the child finished before it was killed; slow it down'));
      });
      child.on('exit', () => resolve());
    });
    if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
    assert.equal(child.signalCode, 'SIGKILL');
    // The killed run's lease must lapse before another worker may take the sync.
    let counts: SyncCounts | undefined;
    for (let i = 0; i < 100 && counts === undefined; i++) {
      const outcome = await runSync(customersSync(systems, unlimited), { store, clock: systemClock }, { owner: 'survivor', batchSize: 10 });
      if (outcome.status === 'ok') counts = outcome.counts;
      else await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(counts !== undefined, 'the survivor took the sync over');
    assert.ok(counts.read <= total - printed * 10, `resumed from the cursor (${counts.read} read after ${printed} batches)`);
    const synced = await netSuiteCustomers(systems);
    const source = await accounts(systems);
    assert.equal(source.size, total);
    for (const [id, name] of source) assert.deepEqual(synced.get(id), { name, inactive: false }, `no gap at ${name}`);
  });
});
