/**
 * The in-process Prometheus instruments: what the engine and the connectors count as it happens
 * (deliveries by destination and outcome, attempts, vendor latency by vendor and outcome,
 * rate-limit waits, inbound events). Gauges read from the store on scrape live in
 * `store-gauges.ts`. One registry per process; recording is a no-op while metrics are off.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { noteVendorCall, noteVendorCircuit, noteVendorRateLimit } from './vendor-health.ts';

/** The registry `/metrics` serves. */
export const registry = new Registry();

let enabled = true;

/** Turns recording on or off (config `observability.metrics`). */
export function setMetricsEnabled(on: boolean): void {
  enabled = on;
}

/** Whether metrics are recorded. */
export function metricsEnabled(): boolean {
  return enabled;
}

/**
 * Counts by two label values kept as plain numbers where they happen (once or twice per event),
 * and handed to prom-client when it is scraped: no labels object, label hash or validation per count.
 */
class Tally {
  readonly #counts = new Map<string, Map<string, number>>();

  add(a: string, b: string): void {
    let inner = this.#counts.get(a);
    if (inner === undefined) this.#counts.set(a, (inner = new Map()));
    inner.set(b, (inner.get(b) ?? 0) + 1);
  }

  /** Sets `counter` (labels `first`, `second`) to the totals. */
  publish<A extends string, B extends string>(counter: Counter<A | B>, first: A, second: B): void {
    counter.reset();
    for (const [a, inner] of this.#counts) for (const [b, n] of inner) counter.inc({ [first]: a, [second]: b } as Record<A | B, string>, n);
  }
}

const deliveryTally = new Tally();

// Registered, and read only when scraped (through collect).
new Counter({
  name: 'interlock_deliveries_total',
  help: 'Delivery attempts by destination and outcome (delivered, retry, rate-limited, dead).',
  labelNames: ['destination', 'outcome'] as const,
  registers: [registry],
  collect() {
    deliveryTally.publish(this, 'destination', 'outcome');
  },
});

const deliveryAttempts = new Histogram({
  name: 'interlock_delivery_attempts',
  help: 'Attempts a message took until it was delivered or parked.',
  labelNames: ['destination', 'outcome'] as const,
  buckets: [1, 2, 3, 5, 8, 13],
  registers: [registry],
});

const vendorLatency = new Histogram({
  name: 'interlock_vendor_request_duration_seconds',
  help: 'Latency of calls to vendor APIs by vendor and outcome (ok or the error class).',
  labelNames: ['vendor', 'outcome'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers: [registry],
});

const rateLimitWaits = new Counter({
  name: 'interlock_rate_limit_waits_total',
  help: 'Times a vendor or destination answered 429 and the work waited (Retry-After or backoff).',
  labelNames: ['target'] as const,
  registers: [registry],
});

const circuitState = new Gauge({
  name: 'interlock_vendor_circuit_state',
  help: "State of a vendor's circuit breaker (as interlock_circuit_state for destinations): 0 closed, 0.5 half-open (a probe is out), 1 open (calls fail fast).",
  labelNames: ['vendor'] as const,
  registers: [registry],
});

const rateLimitRemaining = new Gauge({
  name: 'interlock_vendor_rate_limit_remaining',
  help: 'Requests the vendor says are left in its current allowance (e.g. Salesforce Sforce-Limit-Info), as of its last answer.',
  labelNames: ['vendor'] as const,
  registers: [registry],
});

const CIRCUIT_VALUES: Readonly<Record<string, number>> = { closed: 0, 'half-open': 0.5, open: 1 };

const inboundTally = new Tally();

new Counter({
  name: 'interlock_inbound_events_total',
  help: 'Inbound events by source and outcome (accepted, duplicate).',
  labelNames: ['source', 'outcome'] as const,
  registers: [registry],
  collect() {
    inboundTally.publish(this, 'source', 'outcome');
  },
});

const steps = new Counter({
  name: 'interlock_flow_steps_total',
  help: 'Flow step executions by flow and outcome (completed, failed).',
  labelNames: ['flow', 'outcome'] as const,
  registers: [registry],
});

/** Records a delivery outcome; `final` outcomes (delivered, dead) also record the attempts taken. */
export function recordDelivery(destination: string, outcome: 'delivered' | 'retry' | 'rate-limited' | 'dead', attempts: number): void {
  if (!enabled) return;
  deliveryTally.add(destination, outcome);
  if (outcome === 'rate-limited') rateLimitWaits.inc({ target: destination });
  if (outcome === 'delivered' || outcome === 'dead') deliveryAttempts.observe({ destination, outcome }, attempts);
}

/** Records one vendor call: `outcome` is `ok` or the error class. */
export function recordVendorCall(vendor: string, outcome: string, seconds: number): void {
  if (!enabled) return;
  noteVendorCall(vendor, outcome, seconds * 1000);
  vendorLatency.observe({ vendor, outcome }, seconds);
  if (outcome === 'rate-limited') rateLimitWaits.inc({ target: vendor });
}

/** Records a change of a vendor's circuit breaker (`closed`, `half-open`, `open`). */
export function recordCircuitState(vendor: string, state: 'closed' | 'half-open' | 'open'): void {
  noteVendorCircuit(vendor, state);
  if (!enabled) return;
  circuitState.set({ vendor }, CIRCUIT_VALUES[state] ?? 0);
}

/** Records the vendor's remaining request allowance, as its last answer stated it. */
export function recordRateLimitRemaining(vendor: string, remaining: number): void {
  noteVendorRateLimit(vendor, remaining);
  if (!enabled) return;
  rateLimitRemaining.set({ vendor }, remaining);
}

/** Records an inbound event. */
export function recordInbound(source: string, duplicate: boolean): void {
  if (!enabled) return;
  inboundTally.add(source, duplicate ? 'duplicate' : 'accepted');
}

/** Records a step execution of `flow`. */
export function recordStep(flow: string, outcome: 'completed' | 'failed'): void {
  if (!enabled) return;
  steps.inc({ flow, outcome });
}
