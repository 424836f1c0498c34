/**
 * A trace as a waterfall: one row per span, its bar placed at its start and as long as it took,
 * children indented under their parent; a row opens to show its attributes (secrets masked).
 */
import { Fragment, useState } from 'react';
import { duration } from '../lib/format.ts';
import type { Span } from '../lib/types.ts';
import { JsonView } from './json-view.tsx';

function depthOf(span: Span, byId: Map<string, Span>): number {
  let d = 0;
  for (let p = span.parentSpanId; p !== undefined && d < 20; p = byId.get(p)?.parentSpanId) d += 1;
  return d;
}

// Enough rows to read a run step by step; a long history opens on request.
const CAP = 40;

/** The waterfall of `spans`. */
export function Timeline({ spans }: { spans: readonly Span[] }) {
  const [open, setOpen] = useState<string>();
  const [all, setAll] = useState(false);
  if (spans.length === 0) return <div className="muted">No trace recorded for this id.</div>;
  const sorted = [...spans].sort((a, b) => a.at.localeCompare(b.at));
  const byId = new Map(sorted.map((s) => [s.spanId, s]));
  const t0 = Math.min(...sorted.map((s) => Date.parse(s.at)));
  const t1 = Math.max(...sorted.map((s) => Date.parse(s.at) + s.durationMs));
  const total = Math.max(1, t1 - t0);
  return (
    <>
    <table className="timeline" data-testid="timeline">
      <tbody>
        {(all ? sorted : sorted.slice(0, CAP)).map((s) => (
          <Fragment key={s.spanId}>
            <tr className={s.status === 'error' ? 'span-error' : ''} onClick={() => setOpen(open === s.spanId ? undefined : s.spanId)}>
              <td className="span-name" style={{ paddingLeft: `${0.5 + depthOf(s, byId)}rem` }}>{s.name}</td>
              <td className="span-bar-cell">
                <div
                  className={`span-bar ${s.status}`}
                  style={{ marginLeft: `${((Date.parse(s.at) - t0) / total) * 100}%`, width: `${Math.max(0.5, (s.durationMs / total) * 100)}%` }}
                />
              </td>
              <td className="span-dur">{duration(s.durationMs)}</td>
            </tr>
            {open === s.spanId && (
              <tr>
                <td colSpan={3}><JsonView value={{ traceId: s.traceId, spanId: s.spanId, ...s.attributes }} /></td>
              </tr>
            )}
          </Fragment>
        ))}
      </tbody>
    </table>
    {!all && sorted.length > CAP && (
      <button type="button" className="btn plain" onClick={() => setAll(true)}>
        all {sorted.length} spans
      </button>
    )}
    </>
  );
}
