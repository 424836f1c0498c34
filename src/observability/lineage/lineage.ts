/**
 * Lineage: for any id of any system (a Salesforce opportunity, a NetSuite sales order number or
 * internal id, a Stripe subscription or invoice, `run:<n>`, an inbox event id), the chain of
 * events, runs, steps, records, canonical objects and outbound messages it caused or came from.
 *
 * Built from what the store knows: `lineage_refs` (which runs and steps read or wrote a record),
 * the runs and their journal, the cross-reference table, inbox events and outbox messages (joined
 * to runs by trace id) and dead letters. From the ids found, runs are gathered over two hops (the
 * deal's run names the subscription; the subscription's invoice run names the deal back), at most
 * `maxRuns` of them.
 */
import { sql } from 'kysely';
import type { Store } from '../../store/store.ts';
import type { TimelineEntry } from '../recent-spans.ts';
import { traceIdOf } from '../tracing.ts';
import { recogniseId } from './ids.ts';
import { maskedJson } from './mask.ts';
import { RUN_KEY_STEP } from './refs.ts';

/** One node of the answer. */
export interface LineageNode {
  key: string;
  kind: 'event' | 'run' | 'step' | 'record' | 'canonical' | 'message';
  system: string;
  label: string;
  at: string;
  status?: string;
  attempts?: number;
  payloadVersion?: string;
  traceId?: string;
  detail?: unknown;
}

/** One edge of the answer. */
export interface LineageEdge {
  from: string;
  to: string;
  relation: 'caused' | 'came-from' | 'wrote' | 'read' | 'compensated';
}

/** `GET /admin/lineage/:id`. */
export interface Lineage {
  query: string;
  nodes: LineageNode[];
  edges: LineageEdge[];
  timeline: TimelineEntry[];
}

/** Options of {@link lineageOf}. */
export interface LineageOptions {
  /** Most runs gathered. @default 50 */
  maxRuns?: number;
  /** Recorded spans of a trace, when this process holds them (else the journal is the timeline). */
  spans?: (traceId: string) => TimelineEntry[];
}

const iso = (ms: unknown): string => new Date(Number(ms)).toISOString();

/** The lineage of `id`, or undefined when nothing is known about it. */
export async function lineageOf(store: Store, id: string, options: LineageOptions = {}): Promise<Lineage | undefined> {
  const db = store.db;
  const maxRuns = options.maxRuns ?? 50;
  const nodes = new Map<string, LineageNode>();
  const edges = new Map<string, LineageEdge>();
  const node = (n: LineageNode) => void (nodes.has(n.key) || nodes.set(n.key, n));
  const edge = (from: string, to: string, relation: LineageEdge['relation']) => void edges.set(`${from}|${to}|${relation}`, { from, to, relation });

  // Seeds: the id as a run, as an indexed record, as a run key, as an inbox event, as an xref.
  const runIds = new Set<number>();
  const runMatch = /^run:(\d+)$/.exec(id);
  if (runMatch !== null) runIds.add(Number(runMatch[1]));
  const ids = new Set<string>([id]);
  const xrefs = await db.selectFrom('xrefs').selectAll().where('external_id', '=', id).execute();
  for (const x of xrefs) {
    const same = await db.selectFrom('xrefs').selectAll().where('canonical_type', '=', x.canonical_type).where('canonical_id', '=', x.canonical_id).limit(50).execute();
    const canonicalKey = `canonical:${x.canonical_type}:${x.canonical_id}`;
    node({ key: canonicalKey, kind: 'canonical', system: 'interlock', label: `${x.canonical_type} ${x.canonical_id}`, at: iso(x.created_at) });
    for (const s of same) {
      const recordKey = `${s.system}:${s.object_type}:${s.external_id}`;
      node({ key: recordKey, kind: 'record', system: s.system, label: `${s.object_type} ${s.external_id}`, at: iso(s.created_at) });
      edge(canonicalKey, recordKey, 'came-from');
      ids.add(s.external_id);
    }
  }
  const events = await db.selectFrom('inbox').select(['id', 'source', 'event_id', 'received_at', 'headers', 'status', 'attempts', 'duplicates', 'body']).where('event_id', '=', id).limit(10).execute();

  // Gather runs over two hops of shared records.
  let frontier = [...ids];
  for (let hop = 0; hop < 3 && frontier.length > 0 && runIds.size < maxRuns; hop++) {
    const refs = await db.selectFrom('lineage_refs').select('run_id').distinct().where('external_id', 'in', frontier.slice(0, 500)).limit(maxRuns).execute();
    if (hop === 0 && refs.length === 0 && runMatch === null) {
      const byKey = await db.selectFrom('flow_runs').select('id').where('key', '=', id).orderBy('id', 'desc').limit(maxRuns).execute();
      for (const r of byKey) runIds.add(Number(r.id));
    }
    const fresh = refs.map((r) => Number(r.run_id)).filter((r) => !runIds.has(r));
    for (const r of fresh) if (runIds.size < maxRuns) runIds.add(r);
    if (fresh.length === 0 && hop > 0) break;
    // The next hop follows what these runs wrote or were about (not mere reads of shared data).
    const next = fresh.length === 0 ? [] : await db.selectFrom('lineage_refs').select('external_id').distinct().where('run_id', 'in', fresh).where((eb) => eb.or([eb('relation', '=', 'wrote'), eb('step', '=', RUN_KEY_STEP)])).limit(500).execute();
    frontier = next.map((r) => r.external_id).filter((x) => !ids.has(x));
    for (const x of frontier) ids.add(x);
  }
  if (runIds.size === 0 && events.length === 0 && nodes.size === 0) {
    const known = await db.selectFrom('lineage_refs').select('run_id').where('external_id', '=', id).limit(1).execute();
    if (known.length === 0) return undefined;
  }

  const runList = [...runIds];
  const [runs, steps, refs, dead] = runList.length === 0
    ? [[], [], [], []]
    : await Promise.all([
        db.selectFrom('flow_runs').selectAll().where('id', 'in', runList).execute(),
        db.selectFrom('flow_steps').selectAll().where('run_id', 'in', runList).orderBy('run_id').orderBy('seq').execute(),
        db.selectFrom('lineage_refs').selectAll().where('run_id', 'in', runList).execute(),
        db.selectFrom('dead_letters').selectAll().where('kind', '=', 'run').where('message_id', 'in', runList).execute(),
      ]);
  if (runMatch !== null && runs.length === 0 && events.length === 0) return undefined;
  const traceOfRun = new Map<number, string>();
  for (const r of runs) {
    const runKey = `run:${r.id}`;
    const traceId = traceIdOf(r.traceparent);
    if (traceId !== null) traceOfRun.set(Number(r.id), traceId);
    node({
      key: runKey, kind: 'run', system: 'interlock', label: `${r.flow} · ${r.key}`, at: iso(r.created_at), status: r.status, payloadVersion: `${r.flow}@v${r.version}`,
      ...(traceId === null ? {} : { traceId }),
      detail: { input: maskedJson(r.input), output: maskedJson(r.output), error: r.error, endedAt: r.ended_at === null ? null : iso(r.ended_at) },
    });
  }
  for (const s of steps) {
    const stepKey = `step:${s.run_id}:${s.name}`;
    node({
      key: stepKey, kind: 'step', system: 'interlock', label: s.name, at: iso(s.started_at), status: s.status, attempts: Number(s.attempts),
      ...(s.trace_id === null ? {} : { traceId: s.trace_id }),
      detail: { kind: s.kind, result: maskedJson(s.result), error: s.error, endedAt: s.ended_at === null ? null : iso(s.ended_at) },
    });
    edge(`run:${s.run_id}`, stepKey, 'caused');
    if (s.kind === 'compensation') edge(`step:${s.run_id}:${s.name.replace(/^compensate:/, '')}`, stepKey, 'compensated');
  }
  for (const ref of refs) {
    const recordKey = `${ref.system}:${ref.type}:${ref.external_id}`;
    node({ key: recordKey, kind: 'record', system: ref.system, label: `${ref.type} ${ref.external_id}`, at: iso(ref.at) });
    if (ref.step === RUN_KEY_STEP) edge(recordKey, `run:${ref.run_id}`, 'caused');
    else edge(`step:${ref.run_id}:${ref.step}`, recordKey, ref.relation === 'read' ? 'read' : 'wrote');
  }
  for (const d of dead) {
    const key = `message:dead-letter:${d.id}`;
    node({ key, kind: 'message', system: 'interlock', label: `dead letter: ${d.reason.slice(0, 120)}`, at: iso(d.parked_at), status: d.state, attempts: Number(d.attempts) });
    edge(`run:${d.message_id}`, key, 'caused');
  }
  // The id asked for, when it names a record no run indexed (yet).
  const asRecord = recogniseId(id);
  if (asRecord !== undefined && ![...nodes.values()].some((n) => n.kind === 'record' && n.key.endsWith(`:${id}`))) {
    node({ key: `${asRecord.system}:${asRecord.type}:${id}`, kind: 'record', system: asRecord.system, label: `${asRecord.type} ${id}`, at: new Date().toISOString() });
  }

  // Events and messages join runs by trace: the event that started a run shares its trace.
  // An event's own trace finds the messages routed from it.
  const eventTraces = new Map<string, string>();
  for (const e of events) {
    const t = traceIdOf((JSON.parse(e.headers) as Record<string, string>).traceparent);
    if (t !== null) eventTraces.set(t, `event:${e.id}`);
  }
  const traces = [...new Set([...traceOfRun.values(), ...eventTraces.keys()])];
  const eventRows: Array<{ id: number; source: string; event_id: string; received_at: number; headers: string; status: string; attempts: number; duplicates: number; body: string }> = [...events];
  if (traces.length > 0) {
    const like = (col: 'headers') => sql.join(traces.slice(0, 50).map((t) => sql`${sql.ref(col)} LIKE ${`%${t}%`}`), sql` OR `);
    const [more, messages] = await Promise.all([
      sql<{ id: number; source: string; event_id: string; received_at: number; headers: string; status: string; attempts: number; duplicates: number; body: string }>`SELECT id, source, event_id, received_at, headers, status, attempts, duplicates, body FROM inbox WHERE ${like('headers')} LIMIT 100`.execute(db),
      sql<{ id: number; destination: string; key: string; status: string; attempts: number; created_at: number; headers: string; last_error: string | null; source: string | null }>`SELECT id, destination, key, status, attempts, created_at, headers, last_error, source FROM outbox WHERE ${like('headers')} LIMIT 200`.execute(db),
    ]);
    for (const e of more.rows) if (!eventRows.some((x) => Number(x.id) === Number(e.id))) eventRows.push(e);
    for (const m of messages.rows) {
      const key = `message:${m.id}`;
      const traceId = traceIdOf((JSON.parse(m.headers) as Record<string, string>).traceparent);
      node({ key, kind: 'message', system: m.destination, label: `to ${m.destination} · ${m.key}`, at: iso(m.created_at), status: m.status, attempts: Number(m.attempts), ...(traceId === null ? {} : { traceId }), detail: { lastError: m.last_error, source: m.source } });
      const run = [...traceOfRun].find(([, t]) => t === traceId)?.[0];
      if (run !== undefined) edge(`run:${run}`, key, 'caused');
      else if (traceId !== null && eventTraces.has(traceId)) edge(eventTraces.get(traceId)!, key, 'caused');
    }
  }
  for (const e of eventRows) {
    const key = `event:${e.id}`;
    const traceId = traceIdOf((JSON.parse(e.headers) as Record<string, string>).traceparent);
    const body = maskedJson(e.body) as { type?: unknown } | null;
    node({
      key, kind: 'event', system: e.source, label: `${e.source} ${typeof body?.type === 'string' ? body.type : 'event'} ${e.event_id}`, at: iso(e.received_at), status: e.status, attempts: Number(e.attempts),
      ...(traceId === null ? {} : { traceId }), detail: { eventId: e.event_id, duplicates: Number(e.duplicates), body },
    });
    for (const [run, t] of traceOfRun) if (t === traceId) edge(key, `run:${run}`, 'caused');
  }

  return { query: id, nodes: [...nodes.values()], edges: [...edges.values()], timeline: timeline(runs, steps, options.spans) };
}

type RunRow = { id: number; flow: string; created_at: number; ended_at: number | null; updated_at: number; status: string; traceparent: string | null };
type StepRow = { run_id: number; name: string; started_at: number; ended_at: number | null; status: string; attempts: number; trace_id: string | null; kind: string };

/** Recorded spans of the runs' traces when held; else the journal as a timeline. */
function timeline(runs: readonly RunRow[], steps: readonly StepRow[], spans: LineageOptions['spans']): TimelineEntry[] {
  const out: TimelineEntry[] = [];
  const traces = new Set(runs.map((r) => traceIdOf(r.traceparent)).filter((t): t is string => t !== null));
  for (const t of traces) out.push(...(spans?.(t) ?? []));
  const recorded = new Set(out.map((e) => e.traceId));
  for (const r of runs) {
    const traceId = traceIdOf(r.traceparent) ?? '';
    if (recorded.has(traceId)) continue;
    const runSpan = syntheticSpanId(`run:${r.id}`);
    const end = Number(r.ended_at ?? r.updated_at);
    out.push({ at: iso(r.created_at), name: `run ${r.flow}`, durationMs: end - Number(r.created_at), status: ['failed', 'compensated', 'compensation-failed'].includes(r.status) ? 'error' : 'ok', traceId, spanId: runSpan, attributes: { 'interlock.run_id': Number(r.id), 'interlock.status': r.status } });
    for (const s of steps.filter((x) => Number(x.run_id) === Number(r.id))) {
      out.push({
        at: iso(s.started_at), name: `step ${s.name}`, durationMs: s.ended_at === null ? 0 : Number(s.ended_at) - Number(s.started_at), status: s.status === 'failed' || s.status === 'retrying' ? 'error' : 'ok',
        traceId: s.trace_id ?? traceId, spanId: syntheticSpanId(`step:${r.id}:${s.name}`), parentSpanId: runSpan, attributes: { 'interlock.step': s.name, 'interlock.kind': s.kind, 'interlock.attempts': Number(s.attempts), 'interlock.status': s.status },
      });
    }
  }
  return out.sort((a, b) => a.at.localeCompare(b.at));
}

/** A stable 16-hex-digit id for a journal entry shown as a span (FNV-1a, twice). */
function syntheticSpanId(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (let i = 0; i < text.length; i++) {
    a = Math.imul(a ^ text.charCodeAt(i), 0x01000193) >>> 0;
    b = Math.imul(b ^ text.charCodeAt(text.length - 1 - i), 0x811c9dc5) >>> 0;
  }
  return a.toString(16).padStart(8, '0') + b.toString(16).padStart(8, '0');
}
