/**
 * Lineage: for any id of any system (a Salesforce opportunity, a NetSuite sales order number or
 * internal id, a Stripe subscription or invoice, `run:<n>`, an inbox event id), the chain of
 * events, runs, steps, records, canonical objects and outbound messages it caused or came from.
 *
 * Built from what the store knows, each lookup an index seek (migration 0801): `lineage_refs`
 * (which runs and steps read or wrote a record), the runs and their journal, the
 * cross-reference table, inbox events (by id, and by the `traceparent` a run started from them
 * shares), outbound messages (routed from an event by `inbox_id`; sent by a run's step by their
 * deterministic idempotency key) and dead letters.
 *
 * Which runs belong to the chain, precisely: the runs that name the record (or the event's runs,
 * or the run asked for); then, downstream, the runs *about* a record the chain wrote (their
 * business key: the subscription's renewal, the invoice of the customer it created), matched on
 * system, type and id (NetSuite numbers repeat across record types). A run reached that way which
 * names another record of the kind asked about (another deal) is that record's, not this one's:
 * a customer shared by two deals does not merge their lineages. At most `maxRuns` runs.
 */
import { stepMessageKey } from '../../engine/flows/replay-context.ts';
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

/** A record as lineage matches it: system, type and id together. */
const typed = (r: { system: string; type: string; external_id: string }): string => `${r.system}\u0000${r.type}\u0000${r.external_id}`;
const kindOf = (r: { system: string; type: string }): string => `${r.system}\u0000${r.type}`;

/** `values` in slices a bound-parameter list can take. */
function chunks<T>(values: readonly T[], size = 500): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < values.length; i += size) out.push(values.slice(i, i + size));
  return out;
}

type EventRow = { id: number; source: string; event_id: string; received_at: number; processed_at: number | null; headers: string; status: string; attempts: number; duplicates: number; body: string };
const EVENT_COLUMNS = ['id', 'source', 'event_id', 'received_at', 'processed_at', 'headers', 'status', 'attempts', 'duplicates', 'body'] as const;

function traceparentOf(headers: string): string | undefined {
  try {
    const t = (JSON.parse(headers) as Record<string, unknown>).traceparent;
    return typeof t === 'string' ? t : undefined;
  } catch {
    return undefined;
  }
}

/** The lineage of `id`, or undefined when nothing is known about it. */
export async function lineageOf(store: Store, id: string, options: LineageOptions = {}): Promise<Lineage | undefined> {
  const db = store.db;
  const maxRuns = options.maxRuns ?? 50;
  const nodes = new Map<string, LineageNode>();
  const edges = new Map<string, LineageEdge>();
  const node = (n: LineageNode) => void (nodes.has(n.key) || nodes.set(n.key, n));
  const edge = (from: string, to: string, relation: LineageEdge['relation']) => void edges.set(`${from}|${to}|${relation}`, { from, to, relation });
  const runIds = new Set<number>();
  const addRun = (r: number) => void (runIds.size < maxRuns && runIds.add(r));

  // Seeds: the id as a run, as a cross-referenced record (and its twins in other systems), as an
  // inbox event, as a record some run named, as a run's business key.
  const runMatch = /^run:(\d+)$/.exec(id);
  if (runMatch !== null) addRun(Number(runMatch[1]));
  const ids = new Set<string>([id]);
  const xrefs = await db.selectFrom('xrefs').selectAll().where('external_id', '=', id).limit(20).execute();
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
  const events: EventRow[] = await db.selectFrom('inbox').select(EVENT_COLUMNS).where('event_id', '=', id).limit(10).execute();
  const named = await db.selectFrom('lineage_refs').selectAll().where('external_id', 'in', [...ids]).orderBy('run_id').limit(maxRuns * 20).execute();
  for (const r of named) addRun(Number(r.run_id));
  // What kind of record was asked about: a run reached downstream naming another of that kind is another record's.
  const asked = recogniseId(id);
  const rootKinds = new Set(named.filter((r) => r.external_id === id).map(kindOf));
  if (asked !== undefined) rootKinds.add(kindOf(asked));
  if (named.length === 0 && runMatch === null) {
    const byKey = await db.selectFrom('flow_runs').select('id').where('key', '=', id).orderBy('id', 'desc').limit(maxRuns).execute();
    for (const r of byKey) addRun(Number(r.id));
  }
  const eventTraceparents = events.map((e) => traceparentOf(e.headers)).filter((t): t is string => t !== undefined);
  if (eventTraceparents.length > 0) {
    const started = await db.selectFrom('flow_runs').select('id').where('traceparent', 'in', eventTraceparents).limit(maxRuns).execute();
    for (const r of started) addRun(Number(r.id));
  }
  const inChain = new Set<string>([...named.filter((r) => r.external_id === id)].map(typed));
  if (runMatch !== null && runIds.size > 0) {
    // A run asked for stands for the record it is about.
    const keyRefs = await db.selectFrom('lineage_refs').select(['system', 'type', 'external_id']).where('run_id', '=', Number(runMatch[1])).where('step', '=', RUN_KEY_STEP).execute();
    for (const k of keyRefs) {
      rootKinds.add(kindOf(k));
      inChain.add(typed(k));
    }
  }
  // Names another record of the kind asked about (another deal), so belongs to that record's chain.
  const foreignRuns = async (candidates: readonly number[]): Promise<Set<number>> => {
    const theirs = (await Promise.all(chunks(candidates).map((part) => db.selectFrom('lineage_refs').select(['run_id', 'system', 'type', 'external_id']).where('run_id', 'in', part).execute()))).flat();
    return new Set(theirs.filter((r) => rootKinds.has(kindOf(r)) && !inChain.has(typed(r))).map((r) => Number(r.run_id)));
  };

  // Upstream, one hop: the runs that wrote what the runs naming the record read (an invoice's
  // billing run read the subscription; the deal's run wrote it). A run's business key is not
  // followed up: a customer is the key of every invoice of every deal of that account.
  const direct = [...runIds];
  if (runIds.size > 0 && runIds.size < maxRuns) {
    const read = (await Promise.all(chunks([...runIds]).map((part) => db.selectFrom('lineage_refs').select(['system', 'type', 'external_id']).where('run_id', 'in', part).where('relation', '=', 'read').where('step', '!=', RUN_KEY_STEP).execute()))).flat();
    const wanted = new Set(read.map(typed));
    const writers = (await Promise.all(chunks([...new Set(read.map((r) => r.external_id))]).map((part) =>
      db.selectFrom('lineage_refs').select(['run_id', 'system', 'type', 'external_id']).where('external_id', 'in', part).where('relation', '=', 'wrote').limit(maxRuns * 10).execute(),
    ))).flat();
    const candidates = [...new Set(writers.filter((w) => wanted.has(typed(w)) && !runIds.has(Number(w.run_id))).map((w) => Number(w.run_id)))];
    const foreign = candidates.length === 0 ? new Set<number>() : await foreignRuns(candidates);
    for (const r of candidates) if (!foreign.has(r)) addRun(r);
  }

  // Downstream from the runs naming the record (not from those it came from): runs about the records the chain wrote.
  const followed = new Set<string>();
  let fresh = direct;
  for (let hop = 0; hop < 4 && fresh.length > 0 && runIds.size < maxRuns; hop++) {
    const wrote = (await Promise.all(chunks(fresh).map((part) => db.selectFrom('lineage_refs').select(['system', 'type', 'external_id']).where('run_id', 'in', part).where('relation', '=', 'wrote').execute()))).flat();
    const targets = new Map<string, (typeof wrote)[number]>();
    for (const w of wrote) {
      inChain.add(typed(w));
      if (!followed.has(typed(w))) targets.set(typed(w), w);
    }
    for (const t of targets.keys()) followed.add(t);
    if (targets.size === 0) break;
    const keyed = (await Promise.all(chunks([...new Set([...targets.values()].map((t) => t.external_id))]).map((part) =>
      // Bounded: a customer can key thousands of invoice runs, most of them other deals'.
      db.selectFrom('lineage_refs').select(['run_id', 'system', 'type', 'external_id']).where('external_id', 'in', part).where('step', '=', RUN_KEY_STEP).limit(maxRuns * 20).execute(),
    ))).flat();
    const candidates = [...new Set(keyed.filter((k) => targets.has(typed(k)) && !runIds.has(Number(k.run_id))).map((k) => Number(k.run_id)))];
    if (candidates.length === 0) break;
    const foreign = await foreignRuns(candidates);
    fresh = candidates.filter((r) => !foreign.has(r)).slice(0, maxRuns - runIds.size);
    for (const r of fresh) addRun(r);
  }
  if (runIds.size === 0 && events.length === 0 && nodes.size === 0) return undefined;

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
  const runOfTraceparent = new Map<string, number>();
  for (const r of runs) {
    const runKey = `run:${r.id}`;
    const traceId = traceIdOf(r.traceparent);
    if (r.traceparent !== null) runOfTraceparent.set(r.traceparent, Number(r.id));
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
  if (asked !== undefined && ![...nodes.values()].some((n) => n.kind === 'record' && n.key.endsWith(`:${id}`))) {
    node({ key: `${asked.system}:${asked.type}:${id}`, kind: 'record', system: asked.system, label: `${asked.type} ${id}`, at: new Date().toISOString() });
  }

  // The event that started a run: the run's input is that event's body, which names the event's
  // id (the inbox's key, indexed), and the run began in the event's trace (same traceparent), or
  // without tracing, from the same body. No index on what the headers hold: it would cost every
  // inbound event an index entry.
  const eventRows = [...events];
  const wantedIds = new Map<string, RunRow[]>();
  for (const r of runs) {
    for (const v of topLevelStrings(r.input)) wantedIds.set(v, [...(wantedIds.get(v) ?? []), r]);
  }
  for (const part of chunks([...wantedIds.keys()])) {
    const named = await db.selectFrom('inbox').select(EVENT_COLUMNS).where('event_id', 'in', part).limit(500).execute();
    for (const e of named) {
      const tp = traceparentOf(e.headers);
      const started = (wantedIds.get(e.event_id) ?? []).some((r) => (r.traceparent !== null ? r.traceparent === tp : sameJson(r.input, e.body)));
      if (started && !eventRows.some((x) => Number(x.id) === Number(e.id))) eventRows.push(e);
    }
  }
  for (const e of eventRows) {
    const key = `event:${e.id}`;
    const traceparent = traceparentOf(e.headers);
    const traceId = traceIdOf(traceparent);
    const body = maskedJson(e.body) as { type?: unknown } | null;
    node({
      key, kind: 'event', system: e.source, label: `${e.source} ${typeof body?.type === 'string' ? body.type : 'event'} ${e.event_id}`, at: iso(e.received_at), status: e.status, attempts: Number(e.attempts),
      ...(traceId === null ? {} : { traceId }), detail: { eventId: e.event_id, duplicates: Number(e.duplicates), body },
    });
    const run = traceparent === undefined ? undefined : runOfTraceparent.get(traceparent);
    if (run !== undefined) edge(key, `run:${run}`, 'caused');
  }

  // Messages: routed from the events, and sent by the runs' steps (found by their idempotency keys).
  const messages = await messagesOf(store, eventRows.map((e) => Number(e.id)), steps);
  const deadMessages = messages.length === 0 ? [] : await db.selectFrom('dead_letters').select(['id', 'message_id', 'state', 'reason', 'parked_at', 'resolved_at', 'resolved_by']).where('kind', '=', 'delivery').where('message_id', 'in', messages.map((m) => Number(m.id))).execute();
  for (const m of messages) {
    const key = `message:${m.id}`;
    const traceId = traceIdOf(traceparentOf(m.headers));
    const parked = deadMessages.filter((d) => Number(d.message_id) === Number(m.id)).map((d) => ({ id: Number(d.id), state: d.state, reason: d.reason, resolvedBy: d.resolved_by }));
    node({
      key, kind: 'message', system: m.destination, label: `to ${m.destination} · ${m.key}`, at: iso(m.created_at), status: m.status, attempts: Number(m.attempts), ...(traceId === null ? {} : { traceId }),
      detail: { lastError: m.last_error, source: m.source, ...(m.delivered_at === null ? {} : { deliveredAt: iso(m.delivered_at) }), ...(parked.length === 0 ? {} : { deadLetters: parked }) },
    });
    edge(m.from, key, 'caused');
  }

  const journal = timeline(runs, steps, options.spans);
  const held = new Set(journal.map((t) => t.traceId));
  const history = deliveries(eventRows, messages, deadMessages, held, options.spans);
  return { query: id, nodes: [...nodes.values()], edges: [...edges.values()], timeline: [...journal, ...history].sort((a, b) => a.at.localeCompare(b.at)) };
}

type DeadMessage = { id: number; message_id: number; state: string; reason: string; parked_at: number; resolved_at: number | null; resolved_by: string | null };

/**
 * What happened to the events and their messages, for the timeline: the recorded spans of an
 * event's trace when this process holds them, else the store's own record — received and
 * processed, each message created and delivered, parked as a dead letter, replayed or discarded
 * (and by whom). A routed event with tracing off still has a history to show.
 */
function deliveries(events: readonly EventRow[], messages: ReadonlyArray<MessageRow & { from: string }>, dead: readonly DeadMessage[], held: ReadonlySet<string>, spans: LineageOptions['spans']): TimelineEntry[] {
  const out: TimelineEntry[] = [];
  const recorded = new Set<string>();
  for (const e of events) {
    const traceId = traceIdOf(traceparentOf(e.headers)) ?? '';
    if (traceId === '' || held.has(traceId) || recorded.has(traceId)) continue;
    const kept = spans?.(traceId) ?? [];
    if (kept.length > 0) {
      out.push(...kept);
      recorded.add(traceId);
    }
  }
  for (const e of events) {
    const traceId = traceIdOf(traceparentOf(e.headers)) ?? '';
    if (recorded.has(traceId) || held.has(traceId)) continue;
    const end = Number(e.processed_at ?? e.received_at);
    out.push({ at: iso(e.received_at), name: `event ${e.source} ${e.event_id}`, durationMs: end - Number(e.received_at), status: e.status === 'parked' || e.status === 'failed' ? 'error' : 'ok', traceId, spanId: syntheticSpanId(`event:${e.id}`), attributes: { 'interlock.inbox_id': Number(e.id), 'interlock.status': e.status } });
  }
  for (const m of messages) {
    const traceId = traceIdOf(traceparentOf(m.headers)) ?? '';
    const span = syntheticSpanId(`message:${m.id}`);
    const parent = syntheticSpanId(m.from);
    const end = Number(m.delivered_at ?? m.created_at);
    // Spans show the deliveries; what people did to a dead letter is only in the store.
    if (!recorded.has(traceId)) out.push({ at: iso(m.created_at), name: `deliver to ${m.destination}`, durationMs: end - Number(m.created_at), status: m.status === 'dead' ? 'error' : 'ok', traceId, spanId: span, parentSpanId: parent, attributes: { 'interlock.message_id': Number(m.id), 'interlock.status': m.status, 'interlock.attempts': Number(m.attempts) } });
    for (const d of dead.filter((x) => Number(x.message_id) === Number(m.id))) {
      out.push({ at: iso(d.parked_at), name: `parked as dead letter #${d.id}: ${d.reason.slice(0, 80)}`, durationMs: 0, status: 'error', traceId, spanId: syntheticSpanId(`dead-letter:${d.id}`), parentSpanId: span, attributes: { 'interlock.dead_letter_id': Number(d.id) } });
      if (d.resolved_at !== null) {
        out.push({ at: iso(d.resolved_at), name: `${d.state} by ${d.resolved_by ?? 'unknown'}`, durationMs: 0, status: 'ok', traceId, spanId: syntheticSpanId(`dead-letter:${d.id}:${d.state}`), parentSpanId: span, attributes: { 'interlock.dead_letter_id': Number(d.id), 'interlock.state': d.state } });
      }
    }
  }
  return out;
}

type MessageRow = { id: number; destination: string; key: string; status: string; attempts: number; created_at: number; delivered_at: number | null; headers: string; last_error: string | null; source: string | null };

/**
 * The outbound messages of these events (routed from them) and steps (sent by them), each with
 * the node that caused it. A step's messages have keys `stepMessageKey(run, step, 0…n)`: probe 0
 * for every step, then n + 1 for the steps that had an n-th, so a step without messages costs one key.
 */
async function messagesOf(store: Store, eventIds: readonly number[], steps: ReadonlyArray<{ run_id: number; name: string }>): Promise<Array<MessageRow & { from: string }>> {
  const db = store.db;
  const columns = ['id', 'destination', 'key', 'status', 'attempts', 'created_at', 'delivered_at', 'headers', 'last_error', 'source', 'inbox_id', 'idempotency_key'] as const;
  const out: Array<MessageRow & { from: string }> = [];
  for (const part of chunks(eventIds)) {
    for (const m of await db.selectFrom('outbox').select(columns).where('inbox_id', 'in', part).limit(200).execute()) out.push({ ...m, from: `event:${m.inbox_id}` });
  }
  let probes = steps.map((s) => ({ run: Number(s.run_id), step: s.name, n: 0 }));
  for (let round = 0; round < 50 && probes.length > 0 && out.length < 500; round++) {
    const byKey = new Map(probes.map((p) => [stepMessageKey(p.run, p.step, p.n), p]));
    const found = (await Promise.all(chunks([...byKey.keys()]).map((part) => db.selectFrom('outbox').select(columns).where('idempotency_key', 'in', part).execute()))).flat();
    for (const m of found) out.push({ ...m, from: `run:${byKey.get(m.idempotency_key)!.run}` });
    probes = found.map((m) => byKey.get(m.idempotency_key)!).map((p) => ({ ...p, n: p.n + 1 }));
  }
  return out;
}

/** The string values at the top of a JSON object (an event body's ids), at most 20, none over 300 characters. */
function topLevelStrings(json: string): string[] {
  try {
    const value = JSON.parse(json) as unknown;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return [];
    return Object.values(value).filter((v): v is string => typeof v === 'string' && v !== '' && v.length <= 300).slice(0, 20);
  } catch {
    return [];
  }
}

/** Whether two JSON texts hold the same value (however they were spaced). */
function sameJson(a: string, b: string): boolean {
  try {
    return JSON.stringify(JSON.parse(a)) === JSON.stringify(JSON.parse(b));
  } catch {
    return false;
  }
}

type RunRow = { id: number; flow: string; input: string; created_at: number; ended_at: number | null; updated_at: number; status: string; traceparent: string | null };
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
