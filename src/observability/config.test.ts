import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig } from '../core/config.ts';

const YAML = `
observability:
  tracing: on
  otlp: { url: http://collector:4318/v1/traces }
  slos:
    - name: deals-booked-fast
      description: 95% of closed-won deals booked in the ERP within 15 minutes
      objective: 0.95
      window: 28d
      sli: { kind: latency, event: closed-won-to-erp, threshold: 15m }
    - { name: deliveries, objective: 0.99, window: 7d, sli: { kind: ratio, event: delivery-success } }
`;

describe('observability configuration', () => {
  it('reads tracing, OTLP and SLOs as written in YAML, durations in milliseconds', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'interlock-obs-')), 'interlock.yaml');
    writeFileSync(file, YAML);
    const o = loadConfig({ file, env: {} }).observability;
    assert.equal(o.tracing, true);
    assert.equal(o.metrics, true);
    assert.deepEqual(o.otlp, { url: 'http://collector:4318/v1/traces', headers: {} });
    assert.deepEqual(o.slos[0], {
      name: 'deals-booked-fast', description: '95% of closed-won deals booked in the ERP within 15 minutes', objective: 0.95, window: '28d', windowMs: 28 * 86_400_000,
      sli: { kind: 'latency', event: 'closed-won-to-erp', thresholdMs: 900_000 },
    });
    assert.deepEqual(o.slos[1]?.sli, { kind: 'ratio', event: 'delivery-success' });
  });

  it('defaults to tracing and metrics on, no export, no SLOs', () => {
    const o = loadConfig({ values: {}, env: {} }).observability;
    assert.deepEqual(o, { serviceName: 'interlock', tracing: true, sampleRatio: 1, keepSpans: 0, metrics: true, otlp: undefined, slos: [] });
  });

  it('reads the sampling ratio from the file or INTERLOCK_TRACE_SAMPLE_RATIO, and refuses one outside 0 to 1 by its key', () => {
    assert.equal(loadConfig({ values: { observability: { sampleRatio: 0.25 } }, env: {} }).observability.sampleRatio, 0.25);
    assert.equal(loadConfig({ values: {}, env: { INTERLOCK_TRACE_SAMPLE_RATIO: '0.1' } }).observability.sampleRatio, 0.1);
    assert.equal(loadConfig({ values: {}, env: { INTERLOCK_TRACE_SAMPLE_RATIO: '0' } }).observability.sampleRatio, 0);
    assert.throws(() => loadConfig({ values: { observability: { sampleRatio: 1.5 } }, env: {} }), /observability\.sampleRatio/);
    assert.throws(() => loadConfig({ values: {}, env: { INTERLOCK_TRACE_SAMPLE_RATIO: 'half' } }), /observability\.sampleRatio/);
  });

  it('names the key of a bad SLO', () => {
    const slo = { name: 'x', objective: 1.5, window: '28d', sli: { kind: 'ratio', event: 'run-success' } };
    assert.throws(() => loadConfig({ values: { observability: { slos: [slo] } }, env: {} }), /observability\.slos\.0\.objective/);
    const twice = { name: 'x', objective: 0.9, window: '1d', sli: { kind: 'ratio', event: 'run-success' } };
    assert.throws(() => loadConfig({ values: { observability: { slos: [twice, twice] } }, env: {} }), /observability\.slos\.1\.name" repeats "x"/);
  });
});
