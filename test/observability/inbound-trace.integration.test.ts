/**
 * An inbound event's trace, on both stores: the webhook's inbox write, its routing and its
 * delivery are spans of one trace, the destination receives that trace's `traceparent` (from the
 * delivery span itself), lineage finds the event by its id with the message routed from it, and the delivery is counted in the
 * metrics by destination and outcome.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { lineageOf } from '../../src/observability/lineage/lineage.ts';
import { registry } from '../../src/observability/metrics.ts';
import { eventually, post } from '../support/engine-harness.ts';
import { describeEachStore } from '../support/stores.ts';
import { tracedShop } from '../support/traced-shop.ts';

describeEachStore('trace of an inbound event', (get) => {
  const { spans, received, harness } = tracedShop(get);

  it('spans inbox, routing and delivery in one trace, and the destination continues it', async () => {
    const eventId = `evt-${Math.random().toString(36).slice(2, 10)}`;
    const res = await post(`${harness().url}/hooks/shop`, { id: eventId, order: 'SO-1' });
    assert.equal(res.status, 202);
    assert.ok(await eventually(() => received.length === 1 && spans.getFinishedSpans().some((s) => s.name === 'deliver erp')));
    const inbox = spans.getFinishedSpans().find((s) => s.name === 'inbox shop' && s.attributes['interlock.event_id'] === eventId)!;
    const traceId = inbox.spanContext().traceId;
    const mine = spans.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
    assert.deepEqual(new Set(mine.map((s) => s.name)), new Set(['inbox shop', 'route shop', 'deliver erp']));
    const deliver = mine.find((s) => s.name === 'deliver erp')!;
    assert.equal(received[0], `00-${traceId}-${deliver.spanContext().spanId}-01`);
    // Each span is the parent of the next: the event's stored traceparent names the inbox span, the message's the route span.
    const route = mine.find((s) => s.name === 'route shop')!;
    assert.equal(route.parentSpanContext?.spanId, inbox.spanContext().spanId);
    assert.equal(deliver.parentSpanContext?.spanId, route.spanContext().spanId);

    const lineage = await lineageOf(get().store, eventId);
    const event = lineage?.nodes.find((n) => n.kind === 'event');
    assert.equal(event?.traceId, traceId);
    assert.equal(event?.status, 'processed');
    const message = lineage?.nodes.find((n) => n.kind === 'message');
    assert.equal(message?.status, 'delivered');
    assert.ok(lineage?.edges.some((e) => e.from === event?.key && e.to === message?.key && e.relation === 'caused'), 'the event caused the delivered message');
    assert.match(await registry.metrics(), /^interlock_deliveries_total\{destination="erp",outcome="delivered"\} [1-9]/m);
  });
});
