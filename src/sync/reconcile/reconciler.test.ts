import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ManualClock } from '../../core/clock.ts';
import { AuditLog } from '../../security/audit-log.ts';
import { describeEachStore } from '../../../test/support/stores.ts';
import { toCsv, toJson } from './export.ts';
import { Healer, type HealPlanner } from './heal.ts';
import type { Projection } from './projection.ts';
import { runReconciliation, type ReconcileJob } from './reconciler.ts';
import { ReconcileRuns } from './run-history.ts';

async function* from(records: Projection[]): AsyncGenerator<Projection> {
  yield* records;
}

async function text(chunks: AsyncIterable<string>): Promise<string> {
  let out = '';
  for await (const c of chunks) out += c;
  return out;
}

const p = (key: string, id: string, name: string): Projection => ({ key, id, fields: { name } });

/** A source sorted by key and a target in no order (as a vendor list), with drift. */
function job(target: Projection[]): ReconcileJob {
  return {
    name: 'people',
    description: 'test',
    sides: [
      { system: 'crm', sorted: true, read: () => from([p('a', 'c1', 'Ann'), p('b', 'c2', 'Bob'), p('c', 'c3', 'Cy, "the" 3rd')]) },
      { system: 'erp', read: () => from(target) },
    ],
    fields: [{ field: 'name', kind: 'field' }],
  };
}

describeEachStore('reconciliation runs', (get) => {
  const clock = new ManualClock(Date.parse('2026-01-01T00:00:00Z'));

  it('sorts an unsorted side through the store, finds each drift once and keeps the run', async () => {
    const { store } = get();
    const run = await runReconciliation(job([p('z', 'e9', 'Zed'), p('c', 'e3', 'Cy'), p('a', 'e1', 'Ann')]), { store, clock, startedBy: 'test' });
    assert.equal(run.status, 'completed');
    assert.deepEqual(run.read, { crm: 3, erp: 3 });
    assert.deepEqual(run.kinds, { missing: 1, 'field-drift': 1, orphan: 1 });
    const runs = new ReconcileRuns(store, clock);
    const found = [];
    for await (const d of runs.discrepancies(run.id)) found.push([d.kind, d.key, d.system, d.expected ?? null, d.actual ?? null]);
    assert.deepEqual(found, [
      ['missing', 'b', 'erp', null, null],
      ['field-drift', 'c', 'erp', 'Cy, "the" 3rd', 'Cy'],
      ['orphan', 'z', 'erp', null, null],
    ]);
    assert.equal((await runs.list({ job: 'people' }))[0]?.id, run.id);
    assert.equal(await store.db.selectFrom('reconcile_spill').select('key').executeTakeFirst(), undefined, 'the spill is dropped');
  });

  it('exports the report as CSV with quoting and as JSON', async () => {
    const { store } = get();
    const run = await runReconciliation(job([p('a', 'e1', 'Ann'), p('c', 'e3', 'Cy')]), { store, clock, startedBy: 'test' });
    const runs = new ReconcileRuns(store, clock);
    const csv = await text(toCsv(runs.discrepancies(run.id)));
    const lines = csv.trimEnd().split('\r\n');
    assert.equal(lines[0], 'id,kind,key,system,record_ids,field,expected,actual,heal_status,heal_detail');
    assert.match(lines[2] ?? '', /,field-drift,c,erp,e3,name,"Cy, ""the"" 3rd",Cy,none,$/);
    const json = JSON.parse(await text(toJson(run, runs.discrepancies(run.id)))) as { run: { id: number }; discrepancies: Array<{ kind: string }> };
    assert.equal(json.run.id, run.id);
    assert.deepEqual(json.discrepancies.map((d) => d.kind), ['missing', 'field-drift']);
  });

  it('heals safe classes at once, waits for approval otherwise, marks the rest for a person, audits each heal, never heals twice', async () => {
    const { store } = get();
    const run = await runReconciliation(job([p('c', 'e3', 'Cy'), p('z', 'e9', 'Zed')]), { store, clock, startedBy: 'test' });
    const calls: string[] = [];
    const plan: HealPlanner = (d) =>
      d.kind === 'orphan' ? undefined : { name: `fix-${d.kind}`, run: async () => (calls.push(d.key), { key: d.key, created: calls.filter((k) => k === d.key).length === 1 }) };
    const healer = new Healer(store, clock);
    const summary = await healer.healRun(run.id, 'people', plan, { safe: ['missing@erp'] }, 'cli:test');
    assert.deepEqual(summary, { healed: 2, failed: 0, pendingApproval: 1, manual: 1 });
    assert.deepEqual(calls, ['a', 'b']);
    // A second pass over the same run heals nothing again.
    assert.deepEqual(await healer.healRun(run.id, 'people', plan, { safe: ['missing', 'field-drift'] }, 'cli:test'), { healed: 0, failed: 0, pendingApproval: 0, manual: 0 });
    const runs = new ReconcileRuns(store, clock);
    const pending = [];
    for await (const d of runs.discrepancies(run.id, { healStatus: 'pending-approval' })) pending.push(d);
    assert.equal(pending.length, 1);
    const approved = await healer.approve(pending[0]?.id ?? 0, 'people', plan, 'key:approver');
    assert.equal(approved.healStatus, 'healed');
    await assert.rejects(healer.approve(pending[0]?.id ?? 0, 'people', plan, 'key:approver'), /is healed/);
    assert.deepEqual(calls, ['a', 'b', 'c']);
    const audit = (await new AuditLog(store, clock).list()).filter((e) => e.action.startsWith('reconcile.'));
    assert.deepEqual(audit.map((e) => [e.action, e.actor, e.target]), [
      ['reconcile.heal', 'cli:test', 'reconcile/people/missing/erp/a'],
      ['reconcile.heal', 'cli:test', 'reconcile/people/missing/erp/b'],
      ['reconcile.heal', 'key:approver', 'reconcile/people/field-drift/erp/c'],
    ]);
  });

  it('records a failed heal with its reason, which can be approved again or rejected', async () => {
    const { store } = get();
    const run = await runReconciliation(job([p('a', 'e1', 'Ann'), p('c', 'e3', 'Cy')]), { store, clock, startedBy: 'test' });
    const healer = new Healer(store, clock);
    const failing: HealPlanner = () => ({ name: 'fix', run: () => Promise.reject(new Error('vendor down')) });
    assert.equal((await healer.healRun(run.id, 'people', failing, { safe: ['missing'] }, 'cli:test')).failed, 1);
    const runs = new ReconcileRuns(store, clock);
    const failed = [];
    for await (const d of runs.discrepancies(run.id, { healStatus: 'failed' })) failed.push(d);
    assert.match(failed[0]?.healDetail ?? '', /fix: vendor down/);
    const rejected = await healer.reject(failed[0]?.id ?? 0, 'people', 'key:approver', 'handled by hand');
    assert.equal(rejected.healStatus, 'rejected');
  });

  it('records a run whose side fails as failed, with the reason', async () => {
    const { store } = get();
    const refused: AsyncIterable<Projection> = {
      [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(new Error('login refused')) }),
    };
    const broken: ReconcileJob = { ...job([]), sides: [{ system: 'crm', read: () => refused }] };
    await assert.rejects(runReconciliation(broken, { store, clock, startedBy: 'test' }), /login refused/);
    const last = (await new ReconcileRuns(store, clock).list({ job: 'people', limit: 1 }))[0];
    assert.equal(last?.status, 'failed');
    assert.match(last?.error ?? '', /login refused/);
  });
});
