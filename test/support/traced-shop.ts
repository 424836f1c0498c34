/**
 * The traced pipeline the observability tests drive: tracing started (at `sampleRatio`) into an
 * in-memory exporter, one source `shop` routed to destination `erp`, and `erp` a local server that
 * records the `traceparent` of each request it gets. Registers its own before/after hooks: call
 * it inside a suite.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before } from 'node:test';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { startTracing, type TracingHandle } from '../../src/observability/tracing.ts';
import { startHarness, type Harness } from './engine-harness.ts';
import type { TestStore } from './stores.ts';

/** What a test reads of {@link tracedShop}. */
export interface TracedShop {
  spans: InMemorySpanExporter;
  /** The `traceparent` of each request `erp` received, in order ('' when there was none). */
  received: string[];
  harness(): Harness;
}

/** Sets up {@link TracedShop} on the suite's store, recording `sampleRatio` of new traces. */
export function tracedShop(get: () => TestStore, sampleRatio = 1): TracedShop {
  const spans = new InMemorySpanExporter();
  const received: string[] = [];
  let destination: Server;
  let harness: Harness | undefined;
  let tracing: TracingHandle;
  before(async () => {
    destination = createServer((req, res) => {
      received.push(String(req.headers.traceparent ?? ''));
      req.resume();
      req.on('end', () => res.writeHead(200).end());
    });
    await new Promise<void>((resolve) => destination.listen(0, '127.0.0.1', resolve));
    tracing = startTracing({ tracing: true, serviceName: 'interlock-test', otlp: undefined, sampleRatio }, [new SimpleSpanProcessor({ exporter: spans })]);
    harness = await startHarness(get().store, {
      sources: { shop: { eventId: { path: 'id' }, routes: [{ destination: 'erp', key: 'order' }] } },
      destinations: { erp: { url: `http://127.0.0.1:${(destination.address() as AddressInfo).port}/in` } },
    });
  });
  after(async () => {
    await harness?.close();
    await tracing.stop();
    await new Promise((resolve) => destination.close(resolve));
  });
  return { spans, received, harness: () => harness! };
}
