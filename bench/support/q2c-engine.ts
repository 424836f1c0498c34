/**
 * The timed part of the q2c benchmark: closed-won events into a started engine's inbox, as the
 * Salesforce CDC trigger feeds them (batches of up to 100, each stored before the next is
 * fetched), until every lead-to-order run has ended; then each run is checked to have booked
 * (`completed`, output `synced`) and its step timeline gives the per-stage latencies.
 */
import type { Runtime } from '../../src/cli/runtime.ts';
import { OPPORTUNITY_CLOSED_WON, SALESFORCE_SOURCE } from '../../src/connectors/salesforce/triggers/closed-won.ts';
import { LEAD_TO_ORDER_FLOW } from '../../src/flows/lead-to-order/flow.ts';
import { percentile } from '../report.ts';

/** What one engine measurement found. */
export interface EngineMeasurement {
  opportunitiesPerS: number;
  seconds: number;
  /** End to end per opportunity: event handed to the inbox → run ended, ms. */
  p50Ms: number;
  p99Ms: number;
  /** Per opportunity: event handed to the inbox → its run created (routing), ms. */
  startP50Ms: number;
  startP99Ms: number;
  /** Per step name: p50 and p99 of the stage (previous step's end → this step's end), ms. */
  stageP50Ms: Record<string, number>;
  stageP99Ms: Record<string, number>;
  /** Step attempts beyond the first (retries after a vendor refusal or a lost answer). */
  stepRetries: number;
}

// The CDC subscriber fetches at most 100 change events per poll.
const CDC_BATCH = 100;
const FINAL = ['completed', 'failed', 'compensated', 'compensation-failed', 'cancelled'] as const;
const ACTIVE = ['queued', 'running', 'waiting', 'compensating'] as const;

/** Which flow is measured and which source its closed-won events come from. */
export interface EngineTarget {
  flow: string;
  source: string;
}

/** Starts the worker, feeds one closed-won event per id, waits for every run to end, checks them. */
export async function measureEngine(rt: Runtime, ids: readonly string[], tag: string, target: EngineTarget = { flow: LEAD_TO_ORDER_FLOW, source: SALESFORCE_SOURCE }): Promise<EngineMeasurement> {
  const flow = target.flow;
  const db = rt.store.db;
  await rt.startWorker();
  const handedAt = new Map<string, number>();
  const started = performance.now();
  for (let i = 0; i < ids.length; i += CDC_BATCH) {
    await Promise.all(ids.slice(i, i + CDC_BATCH).map((opportunityId) => {
      const id = `${tag}:${opportunityId}`;
      handedAt.set(opportunityId, Date.now());
      const body = JSON.stringify({ id, type: OPPORTUNITY_CLOSED_WON, opportunityId, reason: 'closed-won', changedAt: Date.now() });
      return rt.engine.inbox.accept({ source: target.source, eventId: id, headers: {}, body });
    }));
  }
  // The poll's CPU counts as the engine's: it asks whether any run is still active (a short
  // index range), and counts the ended runs only once none is.
  // Built once: the builder's per-call work would count too.
  const activeQuery = db.selectFrom('flow_runs').select('id').where('status', 'in', ACTIVE).where('flow', '=', flow).limit(1).compile();
  // Generous: far beyond any run seen, even on a loaded machine; past it, say what the runs wait on.
  const stallAt = started + Math.max(120_000, ids.length * 500);
  for (;;) {
    if (performance.now() > stallAt) throw new Error(`q2c: runs still active after ${Math.round((performance.now() - started) / 1000)} s; ${await describeActive(rt, flow)}`);
    const { rows: active } = await db.executeQuery(activeQuery);
    if (active.length === 0) {
      const { n } = (await db
        .selectFrom('flow_runs')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('flow', '=', flow)
        .where('status', 'in', FINAL)
        .executeTakeFirstOrThrow()) as { n: number | string };
      if (Number(n) >= ids.length) break;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  const seconds = (performance.now() - started) / 1000;

  const runs = await db.selectFrom('flow_runs').select(['id', 'key', 'status', 'output', 'error', 'created_at', 'ended_at']).where('flow', '=', flow).execute();
  const wrong = runs.filter((r) => r.status !== 'completed' || (JSON.parse(r.output ?? 'null') as { status?: string } | null)?.status !== 'synced');
  if (runs.length !== ids.length || wrong.length > 0) {
    const first = wrong[0];
    throw new Error(`q2c: ${wrong.length} of ${runs.length} runs (for ${ids.length} deals) did not book` + (first === undefined ? '' : `; run ${first.id}: ${first.status} ${first.output ?? first.error ?? ''}`));
  }
  const endToEnd = runs.map((r) => Number(r.ended_at) - (handedAt.get(r.key) ?? Number.NaN));
  const toStart = runs.map((r) => Number(r.created_at) - (handedAt.get(r.key) ?? Number.NaN));
  // A step's stage is the stretch from the end of the one before (the run's creation, for the
  // first) to its own end: its work plus the journal commit it waited on. Steps that succeed at
  // once are journaled with startedAt = endedAt, so their own startedAt cannot give it.
  const steps = await db
    .selectFrom('flow_steps')
    .innerJoin('flow_runs', 'flow_runs.id', 'flow_steps.run_id')
    .select(['flow_steps.run_id', 'flow_steps.name', 'flow_steps.kind', 'flow_steps.attempts', 'flow_steps.ended_at', 'flow_runs.created_at'])
    .where('flow_runs.flow', '=', flow)
    .orderBy('flow_steps.run_id')
    .orderBy('flow_steps.seq')
    .execute();
  const byName = new Map<string, number[]>();
  const previousEnd = new Map<number, number>();
  let stepRetries = 0;
  for (const s of steps) {
    if (s.kind !== 'run' || s.ended_at === null) continue;
    stepRetries += Math.max(0, s.attempts - 1);
    const list = byName.get(s.name) ?? [];
    list.push(Number(s.ended_at) - (previousEnd.get(s.run_id) ?? Number(s.created_at)));
    byName.set(s.name, list);
    previousEnd.set(s.run_id, Number(s.ended_at));
  }
  const stage = (p: number) => Object.fromEntries([...byName].map(([name, values]) => [name, percentile(values, p)]));
  return {
    opportunitiesPerS: ids.length / seconds,
    seconds,
    p50Ms: percentile(endToEnd, 50),
    p99Ms: percentile(endToEnd, 99),
    startP50Ms: percentile(toStart, 50),
    startP99Ms: percentile(toStart, 99),
    stageP50Ms: stage(50),
    stageP99Ms: stage(99),
    stepRetries,
  };
}

/** The flow's runs by status, and where a few of the active ones stand: for a stalled measurement's message. */
async function describeActive(rt: Runtime, flow: string): Promise<string> {
  const db = rt.store.db;
  const counts = await db
    .selectFrom('flow_runs')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .where('flow', '=', flow)
    .groupBy('status')
    .execute();
  const runs = await db
    .selectFrom('flow_runs')
    .select(['id', 'status', 'waiting_for', 'wake_at', 'lease_owner', 'error'])
    .where('flow', '=', flow)
    .where('status', 'in', ACTIVE)
    .orderBy('id')
    .limit(5)
    .execute();
  const now = Date.now();
  const lines: string[] = [];
  for (const r of runs) {
    const [last, done] = await db
      .selectFrom('flow_steps')
      .select(['name', 'status', 'attempts', 'error', 'result'])
      .where('run_id', '=', r.id)
      .orderBy('seq', 'desc')
      .limit(2)
      .execute();
    const wake = r.wake_at === null ? 'no wake time' : `due in ${Number(r.wake_at) - now} ms`;
    // The step before the last says why a run waits (a validation's problems before await-fix).
    const before = done === undefined ? '' : `, after ${done.name} → ${(done.result ?? done.error ?? '').slice(0, 400)}`;
    const step = last === undefined ? 'no step yet' : `last step ${last.name} ${last.status} (attempt ${last.attempts}${last.error === null ? '' : `: ${last.error}`})${before}`;
    lines.push(`run ${r.id} ${r.status}${r.waiting_for === null ? '' : ` for ${r.waiting_for}`}, ${wake}, lease ${r.lease_owner ?? 'free'}, ${step}${r.error === null ? '' : `; ${r.error}`}`);
  }
  return `runs by status: ${counts.map((c) => `${c.status} ${Number(c.n)}`).join(', ')}; first active: ${lines.join(' | ')}`;
}
