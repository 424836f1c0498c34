/**
 * The admin API of reconciliation against the seeded sandboxes: run a job (healing safe
 * classes), read the history and the report as JSON pages or CSV, approve a heal that waits.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { startApi, type ApiHarness } from '../../src/api/test-support.ts';
import { buildLeadToOrderDeps } from '../../src/flows/lead-to-order/deps.ts';
import { startSandboxes, type Sandboxes } from '../../src/flows/lead-to-order/test-support.ts';
import { connectSystems } from '../../src/sync/systems/systems.ts';
import { describeEachStore } from '../support/stores.ts';
import { accountIds, createWonDeal } from './support/data-set.ts';

let sandboxes: Sandboxes;
before(async () => {
  sandboxes = await startSandboxes();
});
after(async () => {
  await sandboxes.close();
});

describeEachStore('admin API /admin/reconcile', (get) => {
  let api: ApiHarness;
  before(async () => {
    await sandboxes.reset();
    api = await startApi(get().store, { systems: await buildLeadToOrderDeps(sandboxes.options) });
  });
  after(async () => {
    await api.close();
  });

  it('runs a job with heal, serves the history and the report, and heals the rest on approval', { timeout: 60_000 }, async () => {
    const jobs = await api.app.inject({ method: 'GET', url: '/admin/reconcile/jobs', headers: api.auth('viewer') });
    assert.deepEqual(jobs.json().items.map((j: { name: string }) => j.name), ['customers', 'deals', 'invoices']);

    const run = await api.app.inject({ method: 'POST', url: '/admin/reconcile/customers/run', headers: api.auth('operator'), payload: { heal: true } });
    assert.equal(run.statusCode, 201, run.body);
    assert.deepEqual(run.json().heal, { healed: 8, failed: 0, pendingApproval: 0, manual: 2 });
    const id = run.json().run.id as number;

    const runs = await api.app.inject({ method: 'GET', url: '/admin/reconcile/runs?job=customers', headers: api.auth('viewer') });
    assert.equal(runs.json().items[0].id, id);
    const page = await api.app.inject({ method: 'GET', url: `/admin/reconcile/runs/${id}/discrepancies?limit=6`, headers: api.auth('viewer') });
    assert.equal(page.json().items.length, 6);
    const rest = await api.app.inject({ method: 'GET', url: `/admin/reconcile/runs/${id}/discrepancies?after=${page.json().next}`, headers: api.auth('viewer') });
    assert.equal(rest.json().items.length, 4);
    assert.equal(rest.json().next, null);
    const csv = await api.app.inject({ method: 'GET', url: `/admin/reconcile/runs/${id}/discrepancies?format=csv&healStatus=manual`, headers: api.auth('viewer') });
    assert.match(String(csv.headers['content-type']), /^text\/csv/);
    assert.equal(csv.body.trimEnd().split('\r\n').length, 3, csv.body);

    const systems = connectSystems(sandboxes.options);
    await createWonDeal(systems, (await accountIds(systems))['Acme Corporation'] ?? '', 'Acme - API', [['SEAT-ADDON', 4, 'Monthly']]);
    const deals = await api.app.inject({ method: 'POST', url: '/admin/reconcile/deals/run', headers: api.auth('operator'), payload: { heal: true } });
    assert.equal(deals.json().heal.pendingApproval, 2);
    const pending = await api.app.inject({ method: 'GET', url: `/admin/reconcile/runs/${deals.json().run.id}/discrepancies?healStatus=pending-approval`, headers: api.auth('viewer') });
    const [first, second] = pending.json().items as Array<{ id: number }>;
    const approved = await api.app.inject({ method: 'POST', url: `/admin/reconcile/discrepancies/${first?.id}/approve`, headers: api.auth('approver') });
    assert.equal(approved.statusCode, 200, approved.body);
    assert.equal(approved.json().healStatus, 'healed');
    const twice = await api.app.inject({ method: 'POST', url: `/admin/reconcile/discrepancies/${first?.id}/approve`, headers: api.auth('approver') });
    assert.equal(twice.statusCode, 409);
    assert.match(twice.headers['content-type'] as string, /problem\+json/);
    const rejected = await api.app.inject({ method: 'POST', url: `/admin/reconcile/discrepancies/${second?.id}/reject`, headers: api.auth('approver'), payload: { reason: 'booked by hand' } });
    assert.equal(rejected.json().healStatus, 'rejected');
  });
});
