import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { OtlpSpanProcessor } from './otlp-export.ts';
import { inSpan, startTracing } from './tracing.ts';

/** A collector stub: keeps each request's body; answers `status`. */
function collector(): { server: Server; bodies: Buffer[]; headers: Array<Record<string, unknown>>; url: () => string; status: number } {
  const state = {
    bodies: [] as Buffer[],
    headers: [] as Array<Record<string, unknown>>,
    status: 200,
    server: createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        state.headers.push(req.headers);
        state.bodies.push(Buffer.concat(chunks));
        // An empty ExportTraceServiceResponse: full success.
        res.writeHead(state.status, { 'content-type': 'application/x-protobuf' }).end();
      });
    }),
    url: () => `http://127.0.0.1:${(state.server.address() as AddressInfo).port}/v1/traces`,
  };
  return state;
}

/** Spans of every shape the encoder handles, recorded by both `processor` and an in-memory exporter. */
function record(processor: OtlpSpanProcessor): { memory: InMemorySpanExporter; simple: SimpleSpanProcessor } {
  const memory = new InMemorySpanExporter();
  const simple = new SimpleSpanProcessor({ exporter: memory });
  const provider = new TracerProvider({ resource: resourceFromAttributes({ 'service.name': 'interlock-test' }), spanProcessors: [processor, simple] });
  const tracer = provider.getTracer('interlock', '1.2.3');
  const remote = trace.setSpanContext(ROOT_CONTEXT, { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1, isRemote: true });
  const root = tracer.startSpan('inbox "bench"', { kind: SpanKind.CONSUMER, attributes: { 'interlock.source': 'bench', 'interlock.event_id': 'evt-\u00e9\n1', n: 3, big: 2 ** 40, below: -5, ratio: 0.25, ok: true, tags: ['a', 'b'], counts: [1, 2.5] } }, remote);
  root.addEvent('retry', { attempt: 2 });
  const child = tracer.startSpan('deliver sink', { kind: SpanKind.CLIENT, links: [{ context: root.spanContext(), attributes: { why: 'caused' } }] }, trace.setSpan(ROOT_CONTEXT, root));
  child.setStatus({ code: SpanStatusCode.ERROR, message: 'sink said 503' });
  child.end();
  root.end();
  // Lengths of every varint size: a 200-byte value (two-byte lengths) and a span over 16 kB (three).
  tracer.startSpan('start flow', { attributes: { 'interlock.flow': 'lead-to-order', note: 'n'.repeat(200), payload: '\u00fc'.repeat(9000) } }, ROOT_CONTEXT).end();
  return { memory, simple };
}

describe('OTLP protobuf export encoded at span end', () => {
  const c = collector();
  before(() => new Promise<void>((resolve) => c.server.listen(0, '127.0.0.1', resolve)));
  after(() => new Promise<void>((resolve) => c.server.close(() => resolve())));

  it('sends what the OTLP transformer would send for the same spans', async () => {
    c.bodies.length = 0;
    const processor = new OtlpSpanProcessor({ url: c.url() });
    const { memory, simple } = record(processor);
    await simple.forceFlush();
    await processor.shutdown();
    assert.equal(memory.getFinishedSpans().length, 3);
    assert.equal(c.bodies.length, 1);
    assert.deepEqual(c.bodies[0], Buffer.from(ProtobufTraceSerializer.serializeRequest(memory.getFinishedSpans())!));
  });

  it('sends a full batch at once and the rest on flush; a failing collector fails no caller', async () => {
    c.bodies.length = 0;
    const processor = new OtlpSpanProcessor({ url: c.url(), maxBatch: 2, delayMs: 60_000 });
    const { memory, simple } = record(processor);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(c.bodies.length, 1, 'the batch of 2 left without waiting for the delay');
    await processor.forceFlush();
    await simple.forceFlush();
    const spans = memory.getFinishedSpans();
    assert.deepEqual(c.bodies, [spans.slice(0, 2), spans.slice(2)].map((b) => Buffer.from(ProtobufTraceSerializer.serializeRequest(b)!)));
    c.status = 400;
    record(processor);
    await processor.shutdown();
    c.status = 200;
    assert.equal(c.bodies.length, 4);
  });

  it('a partial batch leaves after the delay', async () => {
    c.bodies.length = 0;
    const processor = new OtlpSpanProcessor({ url: c.url(), delayMs: 50 });
    record(processor);
    const until = Date.now() + 5000;
    while (c.bodies.length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    assert.equal(c.bodies.length, 1);
    await processor.shutdown();
  });

  it('is what tracing exports to when observability.otlp is set', async () => {
    c.bodies.length = 0;
    c.headers.length = 0;
    const memory = new InMemorySpanExporter();
    const tracing = startTracing({ tracing: true, serviceName: 'interlock-otlp', otlp: { url: c.url(), headers: { 'x-collector-key': 'k1' } } }, [new SimpleSpanProcessor({ exporter: memory })]);
    await inSpan('run demo', { attributes: { 'interlock.flow': 'demo' } }, () => inSpan('salesforce GET', { kind: 'client' }, () => 1));
    // Read before stop: shutting the in-memory exporter down empties it.
    const [child, parent] = memory.getFinishedSpans();
    await tracing.stop();
    assert.equal(c.bodies.length, 1);
    assert.equal(c.headers[0]!['x-collector-key'], 'k1');
    assert.equal(c.headers[0]!['content-type'], 'application/x-protobuf');
    assert.deepEqual([child!.name, parent!.name, child!.parentSpanContext?.spanId], ['salesforce GET', 'run demo', parent!.spanContext().spanId]);
    assert.equal(child!.resource.attributes['service.name'], 'interlock-otlp');
    assert.deepEqual(c.bodies[0], Buffer.from(ProtobufTraceSerializer.serializeRequest([child!, parent!])!));
  });
});
