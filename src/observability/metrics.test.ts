import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { recordDelivery, recordInbound, registry } from './metrics.ts';

/** The value of the sample `name{labels}` in the Prometheus text, or undefined. */
function sample(text: string, name: string, labels: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('metrics counted on the hot path', () => {
  it('totals deliveries and inbound events by their labels, the same on every scrape', async () => {
    for (let i = 0; i < 3; i++) recordDelivery('metrics-test-erp', 'delivered', 1);
    recordDelivery('metrics-test-erp', 'retry', 1);
    recordDelivery('metrics-test-crm', 'rate-limited', 2);
    recordInbound('metrics-test-shop', false);
    recordInbound('metrics-test-shop', false);
    recordInbound('metrics-test-shop', true);
    const first = await registry.metrics();
    const second = await registry.metrics();
    for (const text of [first, second]) {
      assert.equal(sample(text, 'interlock_deliveries_total', 'destination="metrics-test-erp",outcome="delivered"'), 3);
      assert.equal(sample(text, 'interlock_deliveries_total', 'destination="metrics-test-erp",outcome="retry"'), 1);
      assert.equal(sample(text, 'interlock_deliveries_total', 'destination="metrics-test-crm",outcome="rate-limited"'), 1);
      assert.equal(sample(text, 'interlock_rate_limit_waits_total', 'target="metrics-test-crm"'), 1);
      assert.equal(sample(text, 'interlock_inbound_events_total', 'source="metrics-test-shop",outcome="accepted"'), 2);
      assert.equal(sample(text, 'interlock_inbound_events_total', 'source="metrics-test-shop",outcome="duplicate"'), 1);
    }
    recordDelivery('metrics-test-erp', 'delivered', 1);
    assert.equal(sample(await registry.metrics(), 'interlock_deliveries_total', 'destination="metrics-test-erp",outcome="delivered"'), 4);
  });
});
