import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { systemClock } from '../../core/clock.ts';
import { loadConfig } from '../../core/config.ts';
import { Engine } from '../../engine/engine.ts';
import { FlowRegistry } from '../../engine/flows/registry.ts';
import { defineFlow } from '../../flows/define-flow.ts';
import { createTestStore } from '../../../test/support/stores.ts';
import { silentLog } from '../../../test/support/engine-fixtures.ts';
import { buildServer } from '../server.ts';

const undone: string[] = [];
const approvalFlow = defineFlow<{ amount: number }>({
  name: 'discount-approval',
  version: 1,
  async run(ctx) {
    await ctx.step.run('reserve', () => 'r-1', { compensate: () => void undone.push('reserve') });
    const decision = await ctx.step.approval('sign-off', { amount: ctx.input.amount });
    const paid = await ctx.step.waitForEvent<{ id: string }>('paid', { type: 'invoice.paid' });
    return { approved: decision.approved, invoice: paid?.id ?? null };
  },
});

describe('admin API for runs', () => {
  let store: Awaited<ReturnType<typeof createTestStore>>;
  let engine: Engine;
  let app: FastifyInstance;
  before(async () => {
    store = await createTestStore('sqlite');
    const config = loadConfig({ values: { worker: { poll: '20ms' } }, env: {} });
    engine = new Engine({ store: store.store, config, clock: systemClock, log: silentLog, flows: new FlowRegistry().register(approvalFlow as never) });
    app = await buildServer({ config, store: store.store, engine, log: silentLog });
  });
  after(async () => {
    await app.close();
    await engine.stop();
    await store.dispose();
  });

  const call = async (method: 'GET' | 'POST', url: string, payload?: unknown) => {
    const res = await app.inject({ method, url, ...(payload === undefined ? {} : { payload: payload as object }), headers: { 'x-interlock-actor': 'dana@example.com' } });
    return { status: res.statusCode, type: res.headers['content-type'], body: res.json() as Record<string, unknown> };
  };

  it('starts a run, shows its timeline, takes an approval and an event, and lists it completed', async () => {
    const started = await call('POST', '/admin/runs', { flow: 'discount-approval', key: 'opp-1', input: { amount: 30 } });
    assert.equal(started.status, 201);
    const id = started.body.runId as number;
    await engine.flows.worker.runDue();
    const waiting = await call('GET', `/admin/runs/${id}`);
    assert.equal(waiting.body.status, 'waiting');
    assert.deepEqual((waiting.body.steps as Array<{ name: string; status: string }>).map((s) => [s.name, s.status]), [['reserve', 'completed'], ['sign-off', 'waiting']]);
    const approved = await call('POST', `/admin/runs/${id}/approve`, { reason: 'within policy' });
    assert.equal(approved.status, 200);
    // The decision is the caller's as the guard knows it; the name sent in X-Interlock-Actor is not taken.
    assert.equal(approved.body.by, 'loopback');
    await engine.flows.worker.runDue();
    assert.deepEqual((await call('POST', `/admin/runs/${id}/events`, { type: 'invoice.paid', payload: { id: 'in_1' } })).body, { delivered: [id] });
    await engine.flows.worker.runDue();
    const done = await call('GET', `/admin/runs/${id}`);
    assert.equal(done.body.status, 'completed');
    assert.deepEqual(done.body.output, { approved: true, invoice: 'in_1' });
    const list = await call('GET', '/admin/runs?flow=discount-approval&status=completed');
    assert.deepEqual((list.body.items as Array<{ id: number }>).map((r) => r.id), [id]);
  });

  it('cancels a waiting run with compensation, and answers problem+json for what cannot be done', async () => {
    const { body } = await call('POST', '/admin/runs', { flow: 'discount-approval', key: 'opp-2', input: { amount: 50 } });
    const id = body.runId as number;
    await engine.flows.worker.runDue();
    const dup = await call('POST', '/admin/runs', { flow: 'discount-approval', key: 'opp-2' });
    assert.equal(dup.status, 409);
    assert.match(String(dup.type), /application\/problem\+json/);
    assert.equal((await call('POST', `/admin/runs/${id}/cancel`)).body.status, 'compensating');
    await engine.flows.worker.runDue();
    assert.equal((await call('GET', `/admin/runs/${id}`)).body.status, 'cancelled');
    assert.deepEqual(undone, ['reserve']);
    assert.equal((await call('POST', `/admin/runs/${id}/reject`, {})).status, 409);
    assert.equal((await call('POST', `/admin/runs/${id}/retry`)).status, 409);
    assert.equal((await call('GET', '/admin/runs/999999')).status, 404);
    assert.equal((await call('GET', '/admin/runs/abc')).status, 400);
    assert.equal((await call('GET', '/admin/runs?status=bogus')).status, 400);
    assert.equal((await call('POST', '/admin/runs', { flow: 'nope', key: 'k' })).status, 404);
    assert.equal((await call('POST', '/admin/runs', { flow: 'discount-approval' })).status, 400);
  });
});
