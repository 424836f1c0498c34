import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { OtlpJsonSpanProcessor } from './otlp-export.ts';
import { inSpan, startTracing } from './tracing.ts';

/** A collector stub: keeps each request's body; answers `status`. */
function collector(): { server: Server; bodies: unknown[]; headers: Array<Record<string, unknown>>; url: () => string; status: number } {
  const state = {
    bodies: [] as unknown[],
    headers: [] as Array<Record<string, unknown>>,
    status: 200,
    server: createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        state.headers.push(req.headers);
        state.bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        res.writeHead(state.status, { 'content-type': 'application/json' }).end('{}');
      });
    }),
    url: () => `http://127.0.0.1:${(state.server.address() as AddressInfo).port}/v1/traces`,
  };
  return state;
}

/** Spans of every shape the encoder handles, recorded by both `processor` and an in-memory exporter. */
function record(processor: OtlpJsonSpanProcessor): { memory: InMemorySpanExporter; simple: SimpleSpanProcessor } {
  const memory = new InMemorySpanExporter();
  const simple = new SimpleSpanProcessor({ exporter: memory });
  const provider = new TracerProvider({ resource: resourceFromAttributes({ 'service.name': 'interlock-test' }), spanProcessors: [processor, simple] });
  const tracer = provider.getTracer('interlock', '1.2.3');
  const remote = trace.setSpanContext(ROOT_CONTEXT, { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1, isRemote: true });
  const root = tracer.startSpan('inbox "bench"', { kind: SpanKind.CONSUMER, attributes: { 'interlock.source': 'bench', 'interlock.event_id': 'evt-\u00e9\n1', n: 3, ratio: 0.25, ok: true, tags: ['a', 'b'] } }, remote);
  root.addEvent('retry', { attempt: 2 });
  const child = tracer.startSpan('deliver sink', { kind: SpanKind.CLIENT, links: [{ context: root.spanContext(), attributes: { why: 'caused' } }] }, trace.setSpan(ROOT_CONTEXT, root));
  child.setStatus({ code: SpanStatusCode.ERROR, message: 'sink said 503' });
  child.end();
  root.end();
  tracer.startSpan('start flow', { attributes: { 'interlock.flow': 'lead-to-order' } }, ROOT_CONTEXT).end();
  return { memory, simple };
}

describe('OTLP JSON export encoded at span end', () => {
  const c = collector();
  before(() => new Promise<void>((resolve) => c.server.listen(0, '127.0.0.1', resolve)));
  after(() => new Promise<void>((resolve) => c.server.close(() => resolve())));

  it('sends what the OTLP transformer would send for the same spans', async () => {
    c.bodies.length = 0;
    const processor = new OtlpJsonSpanProcessor({ url: c.url() });
    const { memory, simple } = record(processor);
    await simple.forceFlush();
    await processor.shutdown();
    assert.equal(memory.getFinishedSpans().length, 3);
    assert.equal(c.bodies.length, 1);
    const expected = JSON.parse(new TextDecoder().decode(JsonTraceSerializer.serializeRequest(memory.getFinishedSpans()))) as unknown;
    assert.deepEqual(c.bodies[0], expected);
  });

  it('sends a full batch at once and the rest on flush; a failing collector fails no caller', async () => {
    c.bodies.length = 0;
    const processor = new OtlpJsonSpanProcessor({ url: c.url(), maxBatch: 2, delayMs: 60_000 });
    record(processor);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(c.bodies.length, 1, 'the batch of 2 left without waiting for the delay');
    await processor.forceFlush();
    const spans = (b: unknown) => (b as { resourceSpans: Array<{ scopeSpans: Array<{ spans: unknown[] }> }> }).resourceSpans[0]!.scopeSpans[0]!.spans.length;
    assert.deepEqual(c.bodies.map(spans), [2, 1]);
    c.status = 400;
    record(processor);
    await processor.shutdown();
    c.status = 200;
    assert.equal(c.bodies.length, 4);
  });

  it('a partial batch leaves after the delay', async () => {
    c.bodies.length = 0;
    const processor = new OtlpJsonSpanProcessor({ url: c.url(), delayMs: 50 });
    record(processor);
    const until = Date.now() + 5000;
    while (c.bodies.length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    assert.equal(c.bodies.length, 1);
    await processor.shutdown();
  });

  it('is what tracing exports to when observability.otlp is set', async () => {
    c.bodies.length = 0;
    c.headers.length = 0;
    const tracing = startTracing({ tracing: true, serviceName: 'interlock-otlp', otlp: { url: c.url(), headers: { 'x-collector-key': 'k1' } } });
    await inSpan('run demo', { attributes: { 'interlock.flow': 'demo' } }, () => inSpan('salesforce GET', { kind: 'client' }, () => 1));
    await tracing.stop();
    assert.equal(c.bodies.length, 1);
    assert.equal(c.headers[0]!['x-collector-key'], 'k1');
    assert.equal(c.headers[0]!['content-type'], 'application/json');
    type Req = { resourceSpans: Array<{ resource: { attributes: unknown[] }; scopeSpans: Array<{ scope: { name: string }; spans: Array<{ name: string; spanId: string; parentSpanId?: string; traceId: string; kind: number }> }> }> };
    const rs = (c.bodies[0] as Req).resourceSpans[0]!;
    assert.deepEqual(rs.resource.attributes, [{ key: 'service.name', value: { stringValue: 'interlock-otlp' } }]);
    assert.equal(rs.scopeSpans[0]!.scope.name, 'interlock');
    const [child, parent] = rs.scopeSpans[0]!.spans;
    assert.deepEqual([child!.name, child!.kind, parent!.name, parent!.kind], ['salesforce GET', 3, 'run demo', 1]);
    assert.equal(child!.parentSpanId, parent!.spanId);
    assert.equal(child!.traceId, parent!.traceId);
  });
});
