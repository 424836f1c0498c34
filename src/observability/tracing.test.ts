import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
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
