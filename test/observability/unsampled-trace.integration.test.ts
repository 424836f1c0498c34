/**
 * An inbound event whose trace is not recorded (`observability.sampleRatio: 0`), on both stores:
 * no span is recorded, yet the destination receives the trace's `traceparent` marked not sampled
 * and the lineage keeps the same trace id. (A file of its own: the ratio is the process's.)
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { lineageOf } from '../../src/observability/lineage/lineage.ts';
import { eventually, post } from '../support/engine-harness.ts';
import { describeEachStore } from '../support/stores.ts';
import { tracedShop } from '../support/traced-shop.ts';

describeEachStore('an inbound event of an unrecorded trace (sampleRatio 0)', (get) => {
  const { spans, received, harness } = tracedShop(get, 0);

  it('records no span, yet the destination and the lineage get the same trace id, marked not sampled', async () => {
    const eventId = `evt-${Math.random().toString(36).slice(2, 10)}`;
    assert.equal((await post(`${harness().url}/hooks/shop`, { id: eventId, order: 'SO-1' })).status, 202);
    assert.ok(await eventually(() => received.length === 1));
    const [, traceId, , flags] = received[0]!.split('-');
    assert.match(traceId!, /^[0-9a-f]{32}$/);
    assert.equal(flags, '00', 'the destination is told the trace is not sampled');
    const lineage = await lineageOf(get().store, eventId);
    assert.equal(lineage?.nodes.find((n) => n.kind === 'event')?.traceId, traceId, 'the journal keeps the trace id all the same');
    assert.equal(lineage?.nodes.find((n) => n.kind === 'message')?.status, 'delivered');
    assert.equal(spans.getFinishedSpans().length, 0);
  });
});
