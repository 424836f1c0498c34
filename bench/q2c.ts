/**
 * `npm run bench -- q2c [--quick] [--runs N] [--case sqlite|postgres] [--story first|manufacturer] [--timeout S]`:
 * won deals per second through a story's whole lead-to-order flow against its seeded sandboxes
 * (zero added latency), on SQLite and PostgreSQL, with the latency of each stage and end to end.
 * The first story (the default): Salesforce → NetSuite and Stripe, with Avalara
 * (support/q2c-first.ts); the manufacturer's: Dynamics 365 → SAP S/4HANA, with Avalara
 * (support/q2c-manufacturer.ts). One harness runs both (support/q2c-harness.ts).
 *
 * The sandboxes run in a worker thread (support/q2c-sandboxes.ts), reset to their seed before each
 * case. Per case, untimed: N deals made and won in the CRM, with no change-data subscriber
 * running. Timed: an engine opened as `interlock start` opens it (the built-in flows over the
 * story's connectors) receives one won-deal event per deal, as the CRM's trigger would feed them,
 * until every run has ended; each must have booked (support/q2c-engine.ts). Baseline in the same
 * run: the flow's calls made one after another, deal after deal, with no engine
 * (support/q2c-baseline.ts, and the manufacturer's own), before and after the cases.
 *
 * Extra fields: `stage_p50_ms`/`stage_p99_ms` per step (previous step's end → its end, so a
 * stage includes the journal commit it waited on), end-to-end `p50_ms`/`p99_ms` (event handed to
 * the inbox → run ended), `start_p50_ms`/`start_p99_ms` (event handed → its run created: the
 * routing), vendor calls, response kilobytes and connections per opportunity
 * (counted on undici's diagnostics channels), and CPU milliseconds per opportunity of this thread
 * and of the sandbox thread — the steadier figures on a shared machine. 150 deals (`--quick`) or
 * 1,000 per case; the baseline books 30 or 200 (`baseline_cpu_ms_per_opportunity` is its CPU).
 * The story's check after the case: `stripe_customers_made` (the Stripe customers tied to an
 * account: the four accounts should have one each) or `sap_orders_per_opportunity` (one). The
 * flow worker's store writes per opportunity: `journal_commits_per_opportunity` (transactions),
 * `journal_statements_per_opportunity` and `claims_per_opportunity`.
 *
 * A run that cannot finish exits non-zero with a message saying where it was stuck, after
 * `--timeout` seconds in all (10 minutes with `--quick`, else 30) or when the timed part stalls.
 *
 * `BENCH_CPU_PROF=<dir>` writes CPU profiles of the timed part: `q2c-<case>-engine.cpuprofile`
 * (this thread) and `q2c-<case>-sandboxes.cpuprofile` (the sandbox thread); the manufacturer's are
 * named `q2c-manufacturer-<case>-…`.
 */
import { type BenchOptions } from './report.ts';
import { FIRST_STORY } from './support/q2c-first.ts';
import { argument, runQ2c } from './support/q2c-harness.ts';
import { MANUFACTURER_STORY } from './support/q2c-manufacturer.ts';

/** Runs the benchmark of the story `--story` names (the first by default). */
export default async function q2c(options: BenchOptions): Promise<void> {
  const story = argument(options, '--story') ?? (options.args.includes('--story') ? '' : 'first');
  if (story === 'first') return runQ2c(FIRST_STORY, options);
  if (story === 'manufacturer') return runQ2c(MANUFACTURER_STORY, options);
  throw new Error(`q2c: --story must be first or manufacturer, got ${story === '' ? 'nothing' : story}`);
}
