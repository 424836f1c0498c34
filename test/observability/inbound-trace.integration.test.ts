/**
 * An inbound event's trace, on both stores: the webhook's inbox write, its routing and its
 * delivery are spans of one trace, the destination receives that trace's `traceparent` (from the
 * delivery span itself), lineage finds the event by its id with the message routed from it, and the delivery is counted in the
 * metrics by destination and outcome.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, it } from 'node:test';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { lineageOf } from '../../src/observability/lineage/lineage.ts';
import { registry } from '../../src/observability/metrics.ts';
import { startTracing, type TracingHandle } from '../../src/observability/tracing.ts';
import { eventually, post, startHarness, type Harness } from '../support/engine-harness.ts';
import { describeEachStore } from '../support/stores.ts';

describeEachStore('trace of an inbound event', (get) => {
  const spans = new InMemorySpanExporter();
  const received: string[] = [];
  let destination: Server;
  let harness: Harness;
  let tracing: TracingHandle;

  before(async () => {
    destination = createServer((req, res) => {
      received.push(String(req.headers.traceparent ?? ''));
      req.resume();
      req.on('end', () => res.writeHead(200).end());
    });
    await new Promise<void>((resolve) => destination.listen(0, '127.0.0.1', resolve));
    tracing = startTracing({ tracing: true, serviceName: 'interlock-test', otlp: undefined }, [new SimpleSpanProcessor({ exporter: spans })]);
    harness = await startHarness(get().store, {
      sources: { shop: { eventId: { path: 'id' }, routes: [{ destination: 'erp', key: 'order' }] } },
      destinations: { erp: { url: `http://127.0.0.1:${(destination.address() as AddressInfo).port}/in` } },
    });
  });
  after(async () => {
    await harness.close();
    await tracing.stop();
    await new Promise((resolve) => destination.close(resolve));
  });

  it('spans inbox, routing and delivery in one trace, and the destination continues it', async () => {
    const eventId = `evt-${Math.random().toString(36).slice(2, 10)}`;
    const res = await post(`${harness.url}/hooks/shop`, { id: eventId, order: 'SO-1' });
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
