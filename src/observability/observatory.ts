/**
 * The read side of observability for one process: the figures read from the store (cached for a
 * few seconds, so scrapes and console refreshes cost a handful of aggregate queries at most),
 * the SLOs evaluated over them, the Prometheus text of `/metrics`, and the `/admin/overview`
 * answer. Figures come from the store, so every process of a deployment reports the same.
 */
import { Gauge, Registry } from 'prom-client';
import type { Clock } from '../core/clock.ts';
import type { Store } from '../store/store.ts';
import type { ObservabilityConfig, SloSpec } from './config.ts';
import { registry } from './metrics.ts';
import { BURN_WINDOW_MS, evaluateSlo, perBucket, quantile, type SloResult } from './slo.ts';
import {
  countSteps, deliveryTally, engineSnapshot, INVOICE_STEP, ORDER_STEP, orderAcceptanceTally, orderLatencies, orderLatencyTally, runTally, stepEndTimes,
  type EngineSnapshot, type Tally,
} from './store-figures.ts';
import { vendorHealth } from './vendor-health.ts';

const DAY = 86_400_000;
const HOUR = 3_600_000;

/** An SLO with its state, as `/admin/overview` lists it. */
export interface SloStatus extends SloResult {
  name: string;
  description: string;
  objective: number;
  window: string;
}

/** The business figures of the last 24 hours. */
export interface Business {
  ordersBooked: number;
  invoicesCreated: number;
  acceptance: Tally;
  closedWonToErpP50Ms: number | null;
  closedWonToErpP95Ms: number | null;
}

/** `GET /admin/overview`. */
export interface Overview {
  kpis: {
    ordersBooked: number; orderAcceptanceRate: number; invoicesCreated: number; closedWonToErpP50Ms: number | null; closedWonToErpP95Ms: number | null;
    deadLetters: number; runsWaiting: number; openDiscrepancies: number;
  };
  slos: SloStatus[];
  systems: Array<{ name: string; status: 'up' | 'degraded' | 'down' | 'unknown'; circuit?: 'closed' | 'open' | 'half-open'; rateLimitRemaining?: number | null; latencyP50Ms?: number | null }>;
  series: Array<{ name: string; unit: string; points: Array<[string, number]> }>;
}

/** Options of an {@link Observatory}. */
export interface ObservatoryOptions {
  store: Store;
  clock: Clock;
  config: ObservabilityConfig;
  /** The vendors this deployment calls (configured connectors). */
  vendors?: readonly string[];
  /** How long figures read from the store are reused. @default 5000 */
  cacheMs?: number;
}

/** Figures, SLOs, metrics text and overview for one process. */
export class Observatory {
  readonly #o: ObservatoryOptions;
  readonly #cache = new Map<string, { at: number; value: Promise<unknown> }>();
  readonly #gauges = new Registry();
  readonly #g: Record<string, Gauge>;

  constructor(options: ObservatoryOptions) {
    this.#o = options;
    const gauge = (name: string, help: string, labelNames: string[] = []) => new Gauge({ name, help, labelNames, registers: [this.#gauges] });
    this.#g = {
      inbox: gauge('interlock_inbox_pending', 'Inbound events stored and not yet routed.'),
      outbox: gauge('interlock_outbox_pending', 'Messages waiting for or in delivery, by destination.', ['destination']),
      oldest: gauge('interlock_oldest_pending_age_seconds', 'Age of the oldest message not yet handled, by queue (inbox or a destination).', ['queue']),
      dead: gauge('interlock_dead_letters', 'Dead letters parked and not yet replayed or discarded, by kind.', ['kind']),
      circuit: gauge('interlock_circuit_state', 'Circuit of a destination: 0 closed, 0.5 half-open, 1 open.', ['destination']),
      runs: gauge('interlock_runs', 'Runs not yet over, by status.', ['status']),
      lag: gauge('interlock_sync_lag_seconds', 'Time since a system (connector cursor) or scheduled sync last made progress.', ['system']),
      discrepancies: gauge('interlock_reconcile_open_discrepancies', 'Discrepancies of the latest reconciliation run not healed, by job.', ['job']),
      orders: gauge('interlock_orders_booked_24h', 'Sales orders booked in the ERP in the last 24 hours.'),
      invoices: gauge('interlock_invoices_created_24h', 'Invoices created in the ERP in the last 24 hours.'),
      acceptance: gauge('interlock_order_acceptance_ratio', 'Closed-won deals booked, of those decided, in the last 24 hours.'),
      latency: gauge('interlock_closed_won_to_erp_seconds', 'Closed-won to ERP sales order latency over the last 24 hours.', ['quantile']),
      sli: gauge('interlock_slo_sli', 'Share of good events over the SLO window.', ['slo']),
      objective: gauge('interlock_slo_objective', 'The SLO objective.', ['slo']),
      budget: gauge('interlock_slo_error_budget_remaining', 'Error budget left over the SLO window (1 untouched, 0 spent).', ['slo']),
      burn: gauge('interlock_slo_burn_rate', 'Error budget burn rate over the last hour (1 = spends it exactly over the window).', ['slo']),
    };
  }

  /** The engine snapshot (cached). */
  snapshot(): Promise<EngineSnapshot> {
    return this.#cached('snapshot', () => engineSnapshot(this.#o.store));
  }

  /** The business figures of the last 24 hours (cached). */
  business(): Promise<Business> {
    return this.#cached('business', async () => {
      const since = this.#o.clock.now() - DAY;
      const [ordersBooked, invoicesCreated, acceptance, latencies] = await Promise.all([
        countSteps(this.#o.store, ORDER_STEP, since),
        countSteps(this.#o.store, INVOICE_STEP, since),
        orderAcceptanceTally(this.#o.store, since),
        orderLatencies(this.#o.store, since),
      ]);
      return { ordersBooked, invoicesCreated, acceptance, closedWonToErpP50Ms: quantile(latencies, 0.5), closedWonToErpP95Ms: quantile(latencies, 0.95) };
    });
  }

  /** Every declared SLO with its state (cached). */
  slos(): Promise<SloStatus[]> {
    return this.#cached('slos', () => Promise.all(this.#o.config.slos.map((s) => this.#evaluate(s))));
  }

  async #evaluate(slo: SloSpec): Promise<SloStatus> {
    const now = this.#o.clock.now();
    const tally = (since: number): Promise<Tally> => {
      const sli = slo.sli;
      if (sli.kind === 'latency') return orderLatencyTally(this.#o.store, since, sli.thresholdMs);
      if (sli.event === 'order-acceptance') return orderAcceptanceTally(this.#o.store, since);
      if (sli.event === 'delivery-success') return deliveryTally(this.#o.store, since);
      return runTally(this.#o.store, since);
    };
    const [window, lastHour] = await Promise.all([tally(now - slo.windowMs), tally(now - Math.min(BURN_WINDOW_MS, slo.windowMs))]);
    return { name: slo.name, description: slo.description, objective: slo.objective, window: slo.window, ...evaluateSlo(slo.objective, window, lastHour) };
  }

  /** The Prometheus text of `/metrics`: in-process instruments and the gauges read from the store. */
  async metricsText(): Promise<string> {
    const [snap, biz, slos] = await Promise.all([this.snapshot(), this.business(), this.slos()]);
    const now = this.#o.clock.now();
    for (const g of Object.values(this.#g)) g.reset();
    const g = this.#g;
    g.inbox!.set(snap.inboxPending);
    if (snap.inboxOldestAt !== null) g.oldest!.set({ queue: 'inbox' }, Math.max(0, now - snap.inboxOldestAt) / 1000);
    for (const o of snap.outbox) {
      g.outbox!.set({ destination: o.destination }, o.pending);
      if (o.oldestAt !== null) g.oldest!.set({ queue: o.destination }, Math.max(0, now - o.oldestAt) / 1000);
    }
    for (const d of snap.deadLetters) g.dead!.set({ kind: d.kind }, d.parked);
    for (const c of snap.circuits) g.circuit!.set({ destination: c.destination }, c.circuit === 'open' ? 1 : c.circuit === 'half-open' ? 0.5 : 0);
    for (const r of snap.runs) g.runs!.set({ status: r.status }, r.count);
    for (const s of snap.syncs) g.lag!.set({ system: s.system }, Math.max(0, now - s.at) / 1000);
    for (const d of snap.openDiscrepancies) g.discrepancies!.set({ job: d.job }, d.open);
    g.orders!.set(biz.ordersBooked);
    g.invoices!.set(biz.invoicesCreated);
    if (biz.acceptance.total > 0) g.acceptance!.set(biz.acceptance.good / biz.acceptance.total);
    if (biz.closedWonToErpP50Ms !== null) g.latency!.set({ quantile: '0.5' }, biz.closedWonToErpP50Ms / 1000);
    if (biz.closedWonToErpP95Ms !== null) g.latency!.set({ quantile: '0.95' }, biz.closedWonToErpP95Ms / 1000);
    for (const s of slos) {
      g.objective!.set({ slo: s.name }, s.objective);
      if (s.sli !== null) g.sli!.set({ slo: s.name }, s.sli);
      if (s.errorBudgetRemaining !== null) g.budget!.set({ slo: s.name }, s.errorBudgetRemaining);
      if (s.burnRate !== null) g.burn!.set({ slo: s.name }, s.burnRate);
    }
    return `${await registry.metrics()}\n${await this.#gauges.metrics()}`;
  }

  /** The content type of {@link metricsText}. */
  get contentType(): string {
    return registry.contentType;
  }

  /** `GET /admin/overview`. */
  async overview(): Promise<Overview> {
    const [snap, biz, slos, series] = await Promise.all([this.snapshot(), this.business(), this.slos(), this.#series()]);
    const systems: Overview['systems'] = (this.#o.vendors ?? []).map((v) => {
      const h = vendorHealth(v);
      return { name: v, status: h.status, latencyP50Ms: h.latencyP50Ms, ...(h.circuit === undefined ? {} : { circuit: h.circuit }), ...(h.rateLimitRemaining === undefined ? {} : { rateLimitRemaining: h.rateLimitRemaining }) };
    });
    const now = this.#o.clock.now();
    for (const c of snap.circuits) {
      const status = c.circuit === 'open' ? 'down' : c.circuit === 'half-open' || c.pausedUntil > now ? 'degraded' : 'up';
      systems.push({ name: c.destination, status, circuit: c.circuit, rateLimitRemaining: null });
    }
    return {
      kpis: {
        ordersBooked: biz.ordersBooked,
        orderAcceptanceRate: biz.acceptance.total === 0 ? 1 : biz.acceptance.good / biz.acceptance.total,
        invoicesCreated: biz.invoicesCreated,
        closedWonToErpP50Ms: biz.closedWonToErpP50Ms,
        closedWonToErpP95Ms: biz.closedWonToErpP95Ms,
        deadLetters: snap.deadLetters.reduce((a, d) => a + d.parked, 0),
        runsWaiting: snap.runs.find((r) => r.status === 'waiting')?.count ?? 0,
        openDiscrepancies: snap.openDiscrepancies.reduce((a, d) => a + d.open, 0),
      },
      slos,
      systems,
      series,
    };
  }

  #series(): Promise<Overview['series']> {
    return this.#cached('series', async () => {
      const now = this.#o.clock.now();
      const end = Math.ceil(now / HOUR) * HOUR;
      const [orders, invoices] = await Promise.all([stepEndTimes(this.#o.store, ORDER_STEP, end - DAY), stepEndTimes(this.#o.store, INVOICE_STEP, end - DAY)]);
      return [
        { name: 'orders booked', unit: 'per hour', points: perBucket(orders, end, HOUR, 24) },
        { name: 'invoices created', unit: 'per hour', points: perBucket(invoices, end, HOUR, 24) },
      ];
    });
  }

  #cached<T>(key: string, read: () => Promise<T>): Promise<T> {
    const now = Date.now();
    const hit = this.#cache.get(key);
    if (hit !== undefined && now - hit.at < (this.#o.cacheMs ?? 5000)) return hit.value as Promise<T>;
    const value = read();
    this.#cache.set(key, { at: now, value });
    // A failed read is not kept: the next call asks the store again.
    value.catch(() => this.#cache.delete(key));
    return value;
  }
}
