/**
 * Inbound events reach flows through the engine: an event a flow is triggered by starts a run, a
 * later event resumes the run waiting for it, each exactly once however often it is received.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { systemClock } from '../../src/core/clock.ts';
import { loadConfig } from '../../src/core/config.ts';
import { Engine } from '../../src/engine/engine.ts';
import { FlowRegistry } from '../../src/engine/flows/registry.ts';
import { defineFlow } from '../../src/flows/define-flow.ts';
import { eventually } from '../support/engine-harness.ts';
import { silentLog } from '../support/engine-fixtures.ts';
import { describeEachStore } from '../support/stores.ts';

const renewal = defineFlow({
  name: 'renewal-feedback',
  version: 1,
  concurrency: 'attach',
  trigger: { source: 'stripe', type: 'customer.subscription.created', key: 'data.object.id' },
  async run(ctx) {
    const event = await ctx.step.waitForEvent<{ data: { object: { id: string } } }>('first-invoice', { type: 'invoice.paid', match: { 'data.object.subscription': ctx.key } });
    return ctx.step.run('record', () => event?.data.object.id ?? null);
  },
});

describeEachStore('flows started and resumed by inbound events', (get) => {
  it('starts a run from its trigger event and resumes it with the awaited one, once each', async () => {
    const config = loadConfig({ values: { worker: { poll: '50ms', lease: '30s' }, sources: { stripe: { eventId: { path: 'id' } } } }, env: {} });
    const engine = new Engine({ store: get().store, config, clock: systemClock, log: silentLog, flows: new FlowRegistry().register(renewal) });
    await engine.startWorker();
    try {
      const created = { id: 'evt_1', type: 'customer.subscription.created', data: { object: { id: 'sub_9' } } };
      const paid = { id: 'evt_2', type: 'invoice.paid', data: { object: { id: 'in_7', subscription: 'sub_9' } } };
      for (const body of [created, created]) await engine.inbox.accept({ source: 'stripe', eventId: body.id, headers: {}, body: JSON.stringify(body) });
      assert.ok(await eventually(async () => (await engine.flows.runs.list({ flow: 'renewal-feedback', status: 'waiting' })).length === 1));
      for (const body of [paid, paid]) await engine.inbox.accept({ source: 'stripe', eventId: body.id, headers: {}, body: JSON.stringify(body) });
      assert.ok(await eventually(async () => (await engine.flows.runs.list({ flow: 'renewal-feedback', status: 'completed' })).length === 1));
      const runs = await engine.flows.runs.list({ flow: 'renewal-feedback' });
      assert.equal(runs.length, 1);
      const run = await engine.flows.runs.get(runs[0]!.id);
      assert.equal(run.key, 'sub_9');
      assert.equal(run.output, 'in_7');
    } finally {
      await engine.stop();
    }
  });
});
