import assert from 'node:assert/strict';
import { it } from 'node:test';
import { permanentError } from '../../core/errors.ts';
import { defineFlow, type ConcurrencyPolicy } from '../../flows/define-flow.ts';
import { DeadLetters } from '../dead-letters.ts';
import { testRuntime, unique } from '../../../test/flows/flow-harness.ts';
import { describeEachStore } from '../../../test/support/stores.ts';

/** A flow that waits for an approval, so its first run stays active. */
function gated(name: string, concurrency: ConcurrencyPolicy, version = 1, label = 'v1') {
  return defineFlow({
    name,
    version,
    concurrency,
    trigger: { source: 'crm', type: 'opportunity.won', key: 'opportunity.id' },
    async run(ctx) {
      await ctx.step.approval('ok', {});
      return ctx.step.run('finish', () => label);
    },
  });
}

/** Started by a new Stripe subscription; waits for its first paid invoice and returns the invoice's id. */
function subscriptionFlow(name: string) {
  return defineFlow({
    name,
    version: 1,
    trigger: { source: 'stripe', type: 'customer.subscription.created', key: 'data.object.id' },
    async run(ctx) {
      const paid = await ctx.step.waitForEvent('paid', { type: 'invoice.paid', match: { 'data.object.subscription': ctx.key } });
      return (paid as { id: string }).id;
    },
  });
}

describeEachStore('flow operations', (get) => {
  it('a second trigger for an active key is rejected, attached or queued by the flow\'s policy', async () => {
    const reject = unique('reject');
    const attach = unique('attach');
    const queue = unique('queue');
    const { rt } = testRuntime(get().store, [gated(reject, 'reject'), gated(attach, 'attach'), gated(queue, 'queue')]);

    const r1 = await rt.start(reject, { key: 'opp' });
    await assert.rejects(rt.start(reject, { key: 'opp' }), (err: Error & { code?: string; details?: Record<string, unknown> }) => {
      assert.equal(err.code, 'conflict');
      assert.equal(err.details?.activeRunId, r1.runId);
      return true;
    });
    assert.equal((await rt.start(reject, { key: 'other' })).outcome, 'started', 'another key is independent');

    const a1 = await rt.start(attach, { key: 'opp' });
    assert.deepEqual(await rt.start(attach, { key: 'opp' }), { runId: a1.runId, outcome: 'attached' });

    const q1 = await rt.start(queue, { key: 'opp' });
    const q2 = await rt.start(queue, { key: 'opp' });
    assert.equal(q2.outcome, 'queued');
    await rt.worker.runDue();
    assert.equal((await rt.runs.get(q2.runId)).status, 'queued', 'a queued run waits for the active one');
    await rt.runs.decide(q1.runId, { approved: true, by: 'me' });
    await rt.worker.runDue();
    assert.equal((await rt.runs.get(q1.runId)).status, 'completed');
    assert.equal((await rt.runs.get(q2.runId)).status, 'waiting', 'the queued run started when the first ended');
  });

  it('concurrent starts for one key, sharing a commit, still start one run and queue or refuse the rest', async () => {
    const queue = unique('queue-burst');
    const reject = unique('reject-burst');
    const { rt } = testRuntime(get().store, [gated(queue, 'queue'), gated(reject, 'reject')]);
    const queued = await Promise.all([1, 2, 3].map(() => rt.start(queue, { key: 'same' })));
    assert.deepEqual(queued.map((r) => r.outcome).sort(), ['queued', 'queued', 'started']);
    const rejected = await Promise.allSettled([1, 2, 3].map(() => rt.start(reject, { key: 'same' })));
    assert.deepEqual(rejected.map((r) => r.status).sort(), ['fulfilled', 'rejected', 'rejected']);
    assert.equal((await rt.runs.list({ flow: reject })).length, 1);
  });

  it('runs in flight continue on their version while new runs take the newest; an old version is kept while it has runs', async () => {
    const name = unique('versioned');
    const { rt } = testRuntime(get().store, [gated(name, 'reject', 1, 'v1')]);
    const old = await rt.start(name, { key: 'a' });
    await rt.worker.runDue();
    rt.registry.register(gated(name, 'reject', 2, 'v2'));
    const fresh = await rt.start(name, { key: 'b' });
    await rt.worker.runDue();
    await assert.rejects(rt.registry.unregister(get().store, name, 1), { code: 'conflict' });
    for (const r of [old, fresh]) await rt.runs.decide(r.runId, { approved: true, by: 'me' });
    await rt.worker.runDue();
    const [o, f] = [await rt.runs.get(old.runId), await rt.runs.get(fresh.runId)];
    assert.deepEqual([o.version, o.output], [1, 'v1']);
    assert.deepEqual([f.version, f.output], [2, 'v2']);
    await rt.registry.unregister(get().store, name, 1);
    assert.equal(rt.registry.get(name, 1), undefined);
  });

  it('leaves a run of an unregistered version untouched until a process that knows it takes it', async () => {
    const name = unique('missing');
    const v1 = gated(name, 'reject', 1, 'v1');
    const first = testRuntime(get().store, [v1]);
    const { runId } = await first.rt.start(name, { key: 'a' });
    await first.rt.worker.runDue();
    await first.rt.runs.decide(runId, { approved: true, by: 'me' });
    const newer = testRuntime(get().store, [gated(name, 'reject', 2, 'v2')], { clock: first.clock });
    await newer.rt.worker.runDue();
    assert.equal((await newer.rt.runs.get(runId)).status, 'running');
    first.clock.advance(60_000);
    await first.rt.worker.runDue();
    assert.equal((await first.rt.runs.get(runId)).output, 'v1');
  });

  it('retries a failed step on request, resolving its dead letter', async () => {
    const name = unique('fixable');
    let broken = true;
    const flow = defineFlow({
      name,
      version: 1,
      async run(ctx) {
        const a = await ctx.step.run('lookup', () => 'acct-1');
        return ctx.step.run('book', () => {
          if (broken) throw permanentError('legal entity not mapped');
          return `booked for ${a}`;
        });
      },
    });
    const { rt } = testRuntime(get().store, [flow]);
    const { runId } = await rt.start(name, { key: 'x' });
    await rt.worker.runDue();
    assert.equal((await rt.runs.get(runId)).status, 'failed');
    await assert.rejects(rt.runs.retry(9_999_999, 'ops'), { code: 'not-found' });
    broken = false;
    assert.deepEqual(await rt.runs.retry(runId, 'ops'), { retried: 'book' });
    await rt.worker.runDue();
    const run = await rt.runs.get(runId);
    assert.equal(run.status, 'completed');
    assert.equal(run.output, 'booked for acct-1');
    await assert.rejects(rt.runs.retry(runId, 'ops'), { code: 'conflict' });
  });

  it('a failed run is a dead letter like any other: shown with its run, and a replay retries it', async () => {
    const name = unique('parked');
    let broken = true;
    const flow = defineFlow({
      name,
      version: 1,
      async run(ctx) {
        return ctx.step.run('book', () => {
          if (broken) throw permanentError('credit hold');
          return 'booked';
        });
      },
    });
    const { rt, clock } = testRuntime(get().store, [flow]);
    const { runId } = await rt.start(name, { key: 'cust-1', input: { amount: 5 } });
    await rt.worker.runDue();
    const dl = new DeadLetters(get().store, clock);
    const [parked] = await dl.list({ source: 'flows' }).then((all) => all.filter((d) => d.kind === 'run' && d.messageId === runId));
    assert.ok(parked !== undefined);
    const detail = await dl.get(parked.id);
    assert.deepEqual(detail.message, { key: `${name}/cust-1`, payload: '{"amount":5}', headers: {} });
    broken = false;
    assert.equal(await dl.replay({ ids: [parked.id] }, 'ops'), 1);
    await rt.worker.runDue();
    const run = await rt.runs.get(runId);
    assert.equal(run.status, 'completed');
    assert.equal(run.steps[0]?.attempts, 1, 'the replayed step starts a fresh count of attempts');
  });

  it('an inbound event starts the flows it triggers and resumes runs waiting for it, in the caller\'s transaction', async () => {
    const name = unique('triggered');
    const { rt } = testRuntime(get().store, [subscriptionFlow(name)]);
    const store = get().store;
    const sub = unique('sub');
    assert.equal(await store.transaction((trx) => rt.onInboundEvent(trx, { source: 'stripe', body: { type: 'customer.subscription.created', data: { object: { id: sub } } } })), true);
    assert.equal(await store.transaction((trx) => rt.onInboundEvent(trx, { source: 'stripe', body: { type: 'unrelated' } })), false);
    await rt.worker.runDue();
    const [run] = await rt.runs.list({ flow: name });
    assert.equal(run?.key, sub);
    assert.equal(run?.status, 'waiting');
    await store.transaction((trx) => rt.onInboundEvent(trx, { source: 'stripe', body: { id: 'in_1', type: 'invoice.paid', data: { object: { subscription: sub } } } }));
    await rt.worker.runDue();
    assert.equal((await rt.runs.get(run!.id)).output, 'in_1');
  });

  it('a batch of inbound events is applied in order: each starts or resumes what it alone would, and one without a business key is refused alone', async () => {
    const name = unique('batched');
    const { rt } = testRuntime(get().store, [subscriptionFlow(name)]);
    const store = get().store;
    const [a, b] = [unique('sub'), unique('sub')];
    const created = (id: string | undefined) => ({ source: 'stripe', body: { type: 'customer.subscription.created', data: { object: { id } } } });
    const paid = (invoice: string, sub: string) => ({ source: 'stripe', body: { id: invoice, type: 'invoice.paid', data: { object: { subscription: sub } } } });
    const first = await store.transaction((trx) => rt.onInboundEvents(trx, [created(a), created(undefined), created(b), created(a), { source: 'stripe', body: { type: 'unrelated' } }]));
    assert.equal(first[0], true);
    assert.match(String(first[1]), /has no business key at "data.object.id"/);
    assert.equal(first[2], true);
    assert.equal(first[3], false, 'the key already has its run (the reject policy): nothing more started');
    assert.equal(first[4], false);
    await rt.worker.runDue();
    assert.deepEqual((await rt.runs.list({ flow: name })).map((r) => [r.key, r.status]).sort(), [[a, 'waiting'], [b, 'waiting']].sort());
    // The first payment of each subscription resumes its run; a second one for `a` finds it no longer waiting.
    const second = await store.transaction((trx) => rt.onInboundEvents(trx, [paid('in_a1', a), paid('in_b', b), paid('in_a2', a)]));
    assert.deepEqual(second, [true, true, false]);
    await rt.worker.runDue();
    const runs = await Promise.all((await rt.runs.list({ flow: name })).map((r) => rt.runs.get(r.id)));
    assert.deepEqual(Object.fromEntries(runs.map((r) => [r.key, [r.status, r.output]])), { [a]: ['completed', 'in_a1'], [b]: ['completed', 'in_b'] });
  });
});
