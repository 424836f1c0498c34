/**
 * Observability end to end, on both stores: a closed-won deal booked by lead-to-order against the
 * sandboxes yields one trace (a span per step, mapping and vendor call, `traceparent` arriving at
 * the vendor), a lineage that leads from the Salesforce opportunity to the NetSuite sales order
 * and the Stripe subscription and back, an overview with the KPIs and SLOs, and `/metrics` that
 * parses as Prometheus text.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, it } from 'node:test';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import type { ApiHarness } from '../../src/api/test-support.ts';
import { startApi } from '../../src/api/test-support.ts';
import { ManualClock } from '../../src/core/clock.ts';
import { buildLeadToOrderDeps, type LeadToOrderDeps } from '../../src/flows/lead-to-order/deps.ts';
import type { LeadToOrderResult } from '../../src/flows/lead-to-order/flow.ts';
import { drive, opportunityId, patchRecord, startSandboxes, type Sandboxes } from '../../src/flows/lead-to-order/test-support.ts';
import type { Lineage } from '../../src/observability/lineage/lineage.ts';
import type { Overview } from '../../src/observability/observatory.ts';
import { startTracing, type TracingHandle } from '../../src/observability/tracing.ts';
import { runCli } from '../support/cli.ts';
import { describeEachStore } from '../support/stores.ts';

/** A pass-through proxy in front of a sandbox that records the `traceparent` of each request. */
async function recordingProxy(target: string): Promise<{ url: string; seen: string[]; close: () => Promise<void> }> {
  const seen: string[] = [];
  const to = new URL(target);
  const server: Server = createServer((req, res) => {
    if (typeof req.headers.traceparent === 'string') seen.push(req.headers.traceparent);
    const upstream = request({ host: to.hostname, port: to.port, path: req.url, method: req.method, headers: { ...req.headers, host: to.host } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describeEachStore('observability of a lead-to-order run', (get) => {
  let sandboxes: Sandboxes;
  let proxy: Awaited<ReturnType<typeof recordingProxy>>;
  let deps: LeadToOrderDeps;
  let api: ApiHarness;
  let tracing: TracingHandle;
  const spans = new InMemorySpanExporter();
  const clock = new ManualClock();
  let oppId = '';
  let output: LeadToOrderResult;
  let runId = 0;

  before(async () => {
    sandboxes = await startSandboxes();
    proxy = await recordingProxy(sandboxes.stripe.url);
    deps = await buildLeadToOrderDeps({ ...sandboxes.options, stripe: { ...sandboxes.options.stripe, baseUrl: proxy.url } });
    tracing = startTracing({ tracing: true, serviceName: 'interlock-test', otlp: undefined, keepSpans: 10_000 }, [new SimpleSpanProcessor({ exporter: spans })]);
    const slos = [
      { name: 'deals-booked-fast', description: '95% of closed-won deals booked in the ERP within 15 minutes', objective: 0.95, window: '28d', sli: { kind: 'latency', event: 'closed-won-to-erp', threshold: '15m' } },
      { name: 'orders-accepted', objective: 0.9, window: '7d', sli: { kind: 'ratio', event: 'order-acceptance' } },
    ];
    api = await startApi(get().store, { systems: deps, clock, values: { observability: { slos } } });
    oppId = await opportunityId(deps.salesforce, 'Initech - Support Upgrade');
    await patchRecord(deps.salesforce, 'Opportunity', oppId, { StageName: 'Closed Won' });
    ({ runId } = await api.engine.flows.start('lead-to-order', { key: oppId, input: { opportunityId: oppId } }));
    const run = await drive(api.engine.flows, clock, runId);
    assert.equal(run.status, 'completed', run.error ?? '');
    output = run.output as LeadToOrderResult;
    assert.equal(output.status, 'synced');
  });
  after(async () => {
    await api.close();
    await tracing.stop();
    await deps.close();
    await proxy.close();
    await sandboxes.close();
  });

  it('records the run as one trace with a span per step, mapping and vendor call, and sends traceparent to the vendor', () => {
    const all = spans.getFinishedSpans();
    const runSpans = all.filter((s) => s.name === 'run lead-to-order' && s.attributes['interlock.run_id'] === runId);
    assert.ok(runSpans.length >= 1);
    const traceId = runSpans[0]!.spanContext().traceId;
    assert.ok(runSpans.every((s) => s.spanContext().traceId === traceId), 'every execution of the run joins one trace');
    const mine = all.filter((s) => s.spanContext().traceId === traceId);
    const names = new Set(mine.map((s) => s.name));
    for (const step of ['read-opportunity', 'validate', 'netsuite-customer', 'netsuite-sales-order', 'stripe-customer', 'stripe-subscription', 'write-back']) {
      assert.ok(names.has(`step ${step}`), `a span for step ${step}`);
    }
    for (const call of ['salesforce GET', 'netsuite POST', 'stripe POST']) assert.ok(names.has(call), `a span for ${call}`);
    assert.ok([...names].some((n) => n.startsWith('mapping ')), 'a span for the mappings');
    // Vendor calls hang under the step that made them.
    const byId = new Map(mine.map((s) => [s.spanContext().spanId, s]));
    const sub = mine.find((s) => s.name === 'step stripe-subscription')!;
    const subCalls = mine.filter((s) => s.name.startsWith('stripe ') && s.parentSpanContext?.spanId === sub.spanContext().spanId);
    assert.ok(subCalls.length >= 1);
    assert.ok(mine.filter((s) => s.name.startsWith('step ')).every((s) => byId.get(s.parentSpanContext?.spanId ?? '')?.name === 'run lead-to-order'));
    // What the sandbox received continues this trace, from the very span of the call.
    const arrived = proxy.seen.filter((tp) => tp.split('-')[1] === traceId);
    assert.ok(arrived.length >= subCalls.length);
    assert.ok(subCalls.some((c) => arrived.includes(`00-${traceId}-${c.spanContext().spanId}-01`)));
  });

  it('leads from the Salesforce opportunity to the NetSuite sales order and the Stripe subscription', async () => {
    const res = await api.app.inject({ method: 'GET', url: `/admin/lineage/${oppId}`, headers: api.auth('viewer') });
    assert.equal(res.statusCode, 200, res.body);
    const lineage = res.json<Lineage>();
    const keys = new Set(lineage.nodes.map((n) => n.key));
    assert.ok(keys.has(`run:${runId}`));
    assert.ok(keys.has(`salesforce:Opportunity:${oppId}`));
    assert.ok(keys.has(`netsuite:salesOrderNumber:${output.netSuiteOrderNumber}`));
    assert.ok(keys.has(`stripe:subscription:${output.stripeSubscriptionId}`));
    assert.ok(lineage.edges.some((e) => e.from === `salesforce:Opportunity:${oppId}` && e.to === `run:${runId}` && e.relation === 'caused'));
    assert.ok(lineage.edges.some((e) => e.from === `step:${runId}:stripe-subscription` && e.to === `stripe:subscription:${output.stripeSubscriptionId}` && e.relation === 'wrote'));
    const run = lineage.nodes.find((n) => n.key === `run:${runId}`)!;
    assert.equal(run.payloadVersion, 'lead-to-order@v1');
    assert.match(run.traceId ?? '', /^[0-9a-f]{32}$/);
    assert.ok(lineage.timeline.some((t) => t.name === 'step netsuite-sales-order' && t.traceId === run.traceId));
    // Spans kept in memory (keepSpans) put the vendor calls in the timeline too.
    assert.ok(lineage.timeline.some((t) => t.name === 'stripe POST' && t.traceId === run.traceId));
  });

  it('leads back from the Stripe subscription and the NetSuite order number to the deal', async () => {
    for (const id of [output.stripeSubscriptionId!, output.netSuiteOrderNumber!]) {
      const res = await api.app.inject({ method: 'GET', url: `/admin/lineage/${encodeURIComponent(id)}`, headers: api.auth('viewer') });
      assert.equal(res.statusCode, 200, res.body);
      const keys = new Set(res.json<Lineage>().nodes.map((n) => n.key));
      assert.ok(keys.has(`salesforce:Opportunity:${oppId}`), `from ${id} back to the opportunity`);
      assert.ok(keys.has(`run:${runId}`));
    }
  });

  it('answers 404 problem+json for an id nothing is known about', async () => {
    const res = await api.app.inject({ method: 'GET', url: '/admin/lineage/sub_nothingKnownAboutThis', headers: api.auth('viewer') });
    assert.equal(res.statusCode, 404);
    assert.match(String(res.headers['content-type']), /application\/problem\+json/);
  });

  it('shows the booked order in the overview KPIs, SLOs and series', async () => {
    const res = await api.app.inject({ method: 'GET', url: '/admin/overview', headers: api.auth('viewer') });
    assert.equal(res.statusCode, 200, res.body);
    const o = res.json<Overview>();
    assert.equal(o.kpis.ordersBooked, 1);
    assert.equal(o.kpis.orderAcceptanceRate, 1);
    assert.equal(typeof o.kpis.closedWonToErpP50Ms, 'number');
    const fast = o.slos.find((s) => s.name === 'deals-booked-fast')!;
    assert.deepEqual({ sli: fast.sli, budget: fast.errorBudgetRemaining, objective: fast.objective, window: fast.window }, { sli: 1, budget: 1, objective: 0.95, window: '28d' });
    assert.equal(o.slos.find((s) => s.name === 'orders-accepted')?.sli, 1);
    assert.equal(o.series.find((s) => s.name === 'orders booked')?.points.length, 24);
    assert.ok(o.systems.some((s) => s.name === 'stripe' && s.status === 'up'));
  });

  it('serves /metrics as Prometheus text with engine, vendor, business and SLO metrics', async () => {
    const res = await api.app.inject({ method: 'GET', url: '/metrics' });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    const families = parsePrometheusTextFormat(res.body);
    const family = (name: string) => families.find((f) => f.name === name);
    const vendor = family('interlock_vendor_request_duration_seconds');
    assert.equal(vendor?.type, 'HISTOGRAM');
    // (The parser keeps no labels of histograms: those are read from the text.)
    assert.match(res.body, /^interlock_vendor_request_duration_seconds_count\{vendor="stripe",outcome="ok"\} [1-9]/m);
    assert.equal(Number(family('interlock_orders_booked_24h')?.metrics[0]?.value), 1);
    assert.equal(Number(family('interlock_slo_error_budget_remaining')?.metrics.find((m) => m.labels?.slo === 'deals-booked-fast')?.value), 1);
    for (const name of ['interlock_inbox_pending', 'interlock_flow_steps_total', 'interlock_closed_won_to_erp_seconds', 'interlock_slo_objective']) assert.ok(family(name), `${name} is exposed`);
  });

  it('interlock trace prints the deal\'s path through NetSuite and Stripe, and one line for an unknown id', async () => {
    const { config } = get();
    const env = { INTERLOCK_STORE: config.kind, ...(config.kind === 'sqlite' ? { INTERLOCK_SQLITE_PATH: config.sqlitePath } : { INTERLOCK_PG_URL: config.postgresUrl ?? '' }) };
    const dir = mkdtempSync(path.join(tmpdir(), 'interlock-trace-'));
    const shown = await runCli(['trace', oppId], { dir, env });
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, new RegExp(`Run run:${runId} .*completed`));
    assert.match(shown.stdout, /✓ netsuite-sales-order .*wrote salesOrderNumber/);
    assert.ok(shown.stdout.includes(output.stripeSubscriptionId!));
    assert.match(shown.stdout, /Timeline\n.*run lead-to-order/);
    const unknown = await runCli(['trace', 'sub_nothingKnownAboutThis'], { dir, env });
    assert.notEqual(unknown.code, 0);
    assert.equal(unknown.stderr.trim().split('\n').length, 1, unknown.stderr);
    assert.match(unknown.stderr, /nothing is known about "sub_nothingKnownAboutThis"/);
  });
});
