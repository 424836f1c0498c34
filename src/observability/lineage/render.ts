/**
 * A lineage answer as terminal text (`interlock trace <id>`): the records involved, the events,
 * each run with its steps (what each wrote or read, retries, compensations), outbound messages,
 * and the timeline as an indented tree of spans with offsets and durations.
 */
import type { TimelineEntry } from '../recent-spans.ts';
import type { Lineage, LineageNode } from './lineage.ts';

const MARK: Readonly<Record<string, string>> = { completed: '✓', failed: '✗', retrying: '↻', waiting: '…', delivered: '✓', dead: '✗', parked: '✗', processed: '✓' };

/** Renders `lineage` for a terminal. */
export function renderLineage(lineage: Lineage): string {
  const lines: string[] = [`Lineage of ${lineage.query}: ${lineage.nodes.length} nodes, ${lineage.edges.length} links`];
  const of = (kind: LineageNode['kind']) => lineage.nodes.filter((n) => n.kind === kind);
  const section = (title: string, nodes: LineageNode[], line: (n: LineageNode) => string) => {
    if (nodes.length === 0) return;
    lines.push('', title);
    for (const n of nodes) lines.push(`  ${line(n)}`);
  };
  section('Records', [...of('record'), ...of('canonical')], (n) => `${n.system.padEnd(11)} ${n.label}`);
  section('Events', of('event'), (n) => `${n.at}  ${n.label}  ${n.status ?? ''}`);
  for (const run of of('run')) {
    lines.push('', `Run ${run.key}  ${run.label}  ${run.status ?? ''}  ${run.payloadVersion ?? ''}${run.traceId === undefined ? '' : `  trace ${run.traceId}`}`);
    const steps = lineage.edges.filter((e) => e.from === run.key && e.relation === 'caused').map((e) => lineage.nodes.find((n) => n.key === e.to)).filter((n): n is LineageNode => n?.kind === 'step');
    for (const step of steps) {
      const touched = lineage.edges.filter((e) => e.from === step.key && (e.relation === 'wrote' || e.relation === 'read')).map((e) => `${e.relation} ${lineage.nodes.find((n) => n.key === e.to)?.label ?? e.to}`);
      const undone = lineage.edges.some((e) => e.from === step.key && e.relation === 'compensated') ? '  (compensated)' : '';
      const attempts = (step.attempts ?? 1) > 1 ? `  ${step.attempts} attempts` : '';
      lines.push(`  ${step.at}  ${MARK[step.status ?? ''] ?? ' '} ${step.label}${attempts}${undone}${touched.length === 0 ? '' : `  → ${touched.join(', ')}`}`);
    }
    const dead = lineage.edges.filter((e) => e.from === run.key && e.to.startsWith('message:dead-letter:')).map((e) => lineage.nodes.find((n) => n.key === e.to)?.label);
    for (const d of dead) lines.push(`  ✗ ${d ?? ''}`);
  }
  section('Messages', of('message').filter((m) => !m.key.startsWith('message:dead-letter:')), (n) => `${n.at}  ${MARK[n.status ?? ''] ?? ' '} ${n.label}  ${n.status ?? ''}${(n.attempts ?? 0) > 1 ? `  ${n.attempts} attempts` : ''}`);
  if (lineage.timeline.length > 0) lines.push('', 'Timeline', ...renderTimeline(lineage.timeline));
  return `${lines.join('\n')}\n`;
}

/** The timeline as a tree: children under their parent span, offsets from the first span of each trace. */
export function renderTimeline(entries: readonly TimelineEntry[]): string[] {
  const out: string[] = [];
  const ids = new Set(entries.map((e) => e.spanId));
  const children = new Map<string, TimelineEntry[]>();
  const roots: TimelineEntry[] = [];
  for (const e of entries) {
    if (e.parentSpanId !== undefined && ids.has(e.parentSpanId)) children.set(e.parentSpanId, [...(children.get(e.parentSpanId) ?? []), e]);
    else roots.push(e);
  }
  const start = new Map<string, number>();
  for (const e of entries) start.set(e.traceId, Math.min(start.get(e.traceId) ?? Infinity, Date.parse(e.at)));
  const walk = (e: TimelineEntry, depth: number) => {
    const offset = Date.parse(e.at) - (start.get(e.traceId) ?? Date.parse(e.at));
    out.push(`  ${`+${offset} ms`.padStart(11)}  ${'  '.repeat(depth)}${e.status === 'error' ? '✗' : '·'} ${e.name}  ${e.durationMs.toFixed(1)} ms`);
    for (const c of children.get(e.spanId) ?? []) walk(c, depth + 1);
  };
  for (const r of roots) walk(r, 0);
  return out;
}
