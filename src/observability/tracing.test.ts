import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { sampledRoot } from './lean-tracer.ts';
import { contextOf, currentTraceparent, inSpan, startTracing, traceIdOf, traceparentOfSpan, type TracingHandle } from './tracing.ts';

describe('tracing helpers', () => {
  const spans = new InMemorySpanExporter();
  const processor = new SimpleSpanProcessor({ exporter: spans });
  let tracing: TracingHandle;
  before(() => {
    tracing = startTracing({ tracing: true, serviceName: 'interlock-test', otlp: undefined }, [processor]);
  });
  after(() => tracing.stop());

  it('a leaf span is recorded under its parent but not made the active span', async () => {
    spans.reset();
    let outerTp: string | undefined;
    let leafTp: string | undefined;
    let activeInLeaf: string | undefined;
    await inSpan('outer', {}, async (outer) => {
      outerTp = traceparentOfSpan(outer);
      await inSpan('deliver sink', { kind: 'client', leaf: true }, async (leaf) => {
        leafTp = traceparentOfSpan(leaf);
        activeInLeaf = currentTraceparent();
      });
    });
    await processor.forceFlush();
    assert.equal(activeInLeaf, outerTp, 'inside a leaf the active trace is still the parent');
    assert.notEqual(leafTp, outerTp);
    assert.equal(traceIdOf(leafTp), traceIdOf(outerTp));
    const [leaf, outer] = spans.getFinishedSpans();
    assert.deepEqual([leaf!.name, outer!.name], ['deliver sink', 'outer']);
    assert.equal(leaf!.parentSpanContext?.spanId, outer!.spanContext().spanId);
  });

  it('a stored traceparent is continued; malformed or all-zero ones start nothing', () => {
    const tp = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const sc = trace.getSpanContext(contextOf(tp));
    assert.deepEqual(sc, { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1, isRemote: true });
    assert.equal(currentTraceparent(contextOf(tp)), tp);
    assert.equal(contextOf('00-00000000000000000000000000000000-b7ad6b7169203331-01'), ROOT_CONTEXT);
    assert.equal(contextOf('00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01'), ROOT_CONTEXT);
    assert.equal(trace.getSpanContext(contextOf('garbage')), undefined);
    assert.equal(contextOf(undefined), ROOT_CONTEXT);
    assert.equal(trace.getSpanContext(contextOf('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00'))?.traceFlags, 0);
    // W3C's version 00 is lowercase hex of exact lengths: anything else continues nothing.
    for (const bad of ['00-0AF7651916CD43DD8448EB211C80319C-B7AD6B7169203331-01', '00-0af7651916cd43dd8448eb211c80319g-b7ad6b7169203331-01', '00-0af7651916cd43dd8448eb211c80319\u00e9-b7ad6b7169203331-01', '00-0af7651916cd43dd8448eb211c80319c-b7ad6b716920333-01', '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-x']) {
      assert.equal(trace.getSpanContext(contextOf(bad)), undefined, bad);
    }
    // Another version is the W3C propagator's to judge (it accepts future versions).
    assert.equal(trace.getSpanContext(contextOf('01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00'))?.traceFlags, 0);
  });
});

describe('sampling (observability.sampleRatio)', () => {
  // Stopping tracing shuts its processors down: each test starts with its own.
  let spans: InMemorySpanExporter;
  let tracing: TracingHandle | undefined;
  afterEach(async () => {
    await tracing?.stop();
    tracing = undefined;
  });
  const start = (sampleRatio: number) => {
    spans = new InMemorySpanExporter();
    tracing = startTracing({ tracing: true, serviceName: 'interlock-test', otlp: undefined, sampleRatio }, [new SimpleSpanProcessor({ exporter: spans })]);
  };

  it('at 0 records nothing, yet every trace keeps its id and traceparent (flag 00), and its children follow it', async () => {
    start(0);
    let rootTp: string | undefined;
    let childTp: string | undefined;
    await inSpan('inbox shop', { kind: 'consumer' }, async (root) => {
      rootTp = traceparentOfSpan(root);
      await inSpan('route shop', { parent: contextOf(rootTp), leaf: true }, (child) => {
        childTp = traceparentOfSpan(child);
      });
    });
    assert.match(rootTp!, /^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
    assert.equal(traceIdOf(childTp), traceIdOf(rootTp), 'the child continues the same trace');
    assert.notEqual(traceIdOf(rootTp), '0'.repeat(32));
    assert.ok(childTp!.endsWith('-00'));
    assert.equal(spans.getFinishedSpans().length, 0);
  });

  it("at 0 still records a trace the caller sampled: the caller's traceparent decides", async () => {
    start(0);
    await inSpan('inbox shop', { kind: 'consumer', parent: contextOf('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'), leaf: true }, () => undefined);
    assert.deepEqual(spans.getFinishedSpans().map((s) => [s.name, s.spanContext().traceId]), [['inbox shop', '0af7651916cd43dd8448eb211c80319c']]);
  });

  it('at a ratio records about that share of new traces, each whole or not at all', async () => {
    start(0.25);
    const n = 4000;
    for (let i = 0; i < n; i++) {
      await inSpan('inbox shop', { kind: 'consumer' }, async (root) => {
        await inSpan('deliver erp', { kind: 'client', parent: contextOf(traceparentOfSpan(root)), leaf: true }, () => undefined);
      });
    }
    const finished = spans.getFinishedSpans();
    const roots = finished.filter((s) => s.name === 'inbox shop');
    // Binomial(4000, 0.25): a standard deviation of 27; 6 of them either side.
    assert.ok(Math.abs(roots.length - n / 4) < 165, `${roots.length} of ${n} traces recorded at 0.25`);
    const recorded = new Set(roots.map((s) => s.spanContext().traceId));
    const children = finished.filter((s) => s.name === 'deliver erp');
    assert.equal(children.length, roots.length, 'a recorded trace has its child, an unrecorded one has none');
    assert.ok(children.every((s) => recorded.has(s.spanContext().traceId)));
  });

  it('decides from the trace id alone, in proportion to the ratio and nested across ratios', () => {
    const ids = Array.from({ length: 2000 }, (_, i) => (BigInt(i) * 0x9e3779b97f4a7c15n).toString(16).padStart(32, '0').slice(-32));
    // Ids spread evenly (multiples of the 64-bit golden ratio): half pass at 0.5, a tenth at 0.1.
    const share = (ratio: number) => ids.filter((id) => sampledRoot(id, ratio)).length / ids.length;
    assert.ok(Math.abs(share(0.5) - 0.5) < 0.05, `${share(0.5)} at 0.5`);
    assert.ok(Math.abs(share(0.1) - 0.1) < 0.03, `${share(0.1)} at 0.1`);
    // A higher ratio keeps every trace a lower one kept (thresholds are nested).
    for (const id of ids) if (sampledRoot(id, 0.1)) assert.ok(sampledRoot(id, 0.5), id);
    assert.equal(sampledRoot('0af7651916cd43dd00ffffffffffffff', 0.01), true, 'the highest random bits pass any ratio above 0');
    assert.equal(sampledRoot('0af7651916cd43dd0000000000000000', 0.99), false, 'the lowest pass none below 1');
    assert.equal(sampledRoot('0af7651916cd43dd0000000000000000', 1), true);
    assert.equal(sampledRoot('0af7651916cd43dd00ffffffffffffff', 0), false);
  });
});
