/**
 * Dead letters: what retries could not deliver, with why. Inspect one (its message, secrets
 * masked), replay or discard it, or select many and act on all of them at once. A replayed
 * delivery links to its lineage, where its new delivery shows.
 */
import { useState } from 'react';
import { Link } from 'wouter';
import { ActionButton } from '../components/action-button.tsx';
import { JsonView } from '../components/json-view.tsx';
import { Done, ErrorBox, Loading } from '../components/notice.tsx';
import { Status } from '../components/status.tsx';
import { post, query } from '../lib/api.ts';
import { when } from '../lib/format.ts';
import type { DeadLetter } from '../lib/types.ts';
import { useApi } from '../lib/use-api.ts';

function Inspect({ id }: { id: number }) {
  const { data, error } = useApi<DeadLetter>(`/admin/dead-letters/${id}`);
  const eventId = data?.message?.headers['x-interlock-event-id'];
  return (
    <aside className="panel" data-testid="dead-letter-detail">
      <h3>Dead letter #{id}</h3>
      <ErrorBox error={error} />
      {data !== undefined && (
        <>
          <dl className="facts">
            <dt>kind</dt><dd>{data.kind}</dd>
            <dt>state</dt><dd><Status status={data.state} /></dd>
            <dt>reason</dt><dd>{data.reason}</dd>
            <dt>last answer</dt><dd>{data.lastStatus ?? '—'}</dd>
            {data.resolvedBy !== null && (<><dt>resolved by</dt><dd>{data.resolvedBy} at {when(data.resolvedAt)}</dd></>)}
            {eventId !== undefined && (<><dt>event</dt><dd><Link href={`/search/${encodeURIComponent(eventId)}`} data-testid="follow-event">{eventId} — follow it →</Link></dd></>)}
          </dl>
          {data.lastResponse !== null && <JsonView label="last response" value={data.lastResponse} />}
          {data.message !== null && data.message !== undefined && <JsonView label="message" value={data.message.payload} />}
          {data.message !== null && data.message !== undefined && <JsonView label="headers" value={data.message.headers} open={false} />}
        </>
      )}
    </aside>
  );
}

/** The dead-letters screen. */
export function DeadLettersScreen() {
  const [state, setState] = useState('parked');
  const [destination, setDestination] = useState('');
  const [selected, setSelected] = useState<ReadonlySet<number>>(new Set());
  const [inspecting, setInspecting] = useState<number>();
  const [done, setDone] = useState('');
  const [actionError, setActionError] = useState<Error>();
  const { data, error, loading, reload } = useApi<{ items: DeadLetter[] }>(`/admin/dead-letters${query({ state, destination: destination.trim(), limit: 500 })}`, 10_000);
  const items = data?.items ?? [];
  const parked = items.filter((d) => d.state === 'parked');
  const toggle = (id: number) => setSelected((s) => { const n = new Set(s); if (n.has(id)) n.delete(id); else n.add(id); return n; });
  const after = (verb: string) => (result: unknown) => {
    const n = Object.values(result as Record<string, number>)[0] ?? 0;
    setDone(`${verb} ${n} dead letter${n === 1 ? '' : 's'}.${verb === 'Replayed' ? ' They are queued for delivery again.' : ''}`);
    setActionError(undefined);
    setSelected(new Set());
    reload();
  };
  const ids = [...selected];
  return (
    <section>
      <h1>Dead letters</h1>
      <div className="filters">
        <label>
          state{' '}
          <select value={state} onChange={(e) => { setState(e.target.value); setSelected(new Set()); }} data-testid="dead-letter-state">
            {['parked', 'replayed', 'discarded', 'any'].map((s) => <option key={s}>{s}</option>)}
          </select>
        </label>
        <label>destination <input value={destination} onChange={(e) => setDestination(e.target.value)} placeholder="any" /></label>
      </div>
      <div className="actions">
        <ActionButton needs="operator" kind="primary" testId="replay-selected" disabled={ids.length === 0} run={() => post('/admin/dead-letters/replay', { ids })} onDone={after('Replayed')} onError={setActionError}>
          Replay selected ({ids.length})
        </ActionButton>
        <ActionButton needs="operator" kind="danger" testId="discard-selected" disabled={ids.length === 0} confirm={`Discard ${ids.length} dead letter(s)? They will not be delivered.`} run={() => post('/admin/dead-letters/discard', { ids })} onDone={after('Discarded')} onError={setActionError}>
          Discard selected
        </ActionButton>
      </div>
      <Done>{done}</Done>
      <ErrorBox error={actionError ?? error} />
      <Loading when={loading && data === undefined} />
      <div className="split">
        <table className="grid" data-testid="dead-letters">
          <thead>
            <tr>
              <th>
                <input type="checkbox" aria-label="select all parked" checked={parked.length > 0 && parked.every((d) => selected.has(d.id))} onChange={(e) => setSelected(new Set(e.target.checked ? parked.map((d) => d.id) : []))} />
              </th>
              <th>#</th><th>kind</th><th>source → destination</th><th>error</th><th>attempts</th><th>parked</th><th>state</th><th />
            </tr>
          </thead>
          <tbody>
            {items.map((d) => (
              <tr key={d.id} className={inspecting === d.id ? 'picked' : ''} data-testid={`dead-letter-${d.id}`}>
                <td><input type="checkbox" aria-label={`select ${d.id}`} disabled={d.state !== 'parked'} checked={selected.has(d.id)} onChange={() => toggle(d.id)} /></td>
                <td>{d.id}</td>
                <td>{d.kind}</td>
                <td>{d.source ?? '—'} → {d.destination ?? '—'}</td>
                <td className="clip" title={d.reason}><span className="muted">{d.errorClass}</span> {d.reason}</td>
                <td>{d.attempts}</td>
                <td>{when(d.parkedAt)}</td>
                <td><Status status={d.state} /></td>
                <td className="row-actions">
                  <button type="button" className="btn plain" onClick={() => setInspecting(d.id)}>Inspect</button>
                  <ActionButton needs="operator" testId="replay-one" disabled={d.state !== 'parked'} run={() => post(`/admin/dead-letters/${d.id}/replay`)} onDone={(r) => { setInspecting(d.id); after('Replayed')(r); }} onError={setActionError}>
                    Replay
                  </ActionButton>
                </td>
              </tr>
            ))}
            {items.length === 0 && <tr><td colSpan={9} className="muted">No dead letters {state === 'any' ? '' : state}.</td></tr>}
          </tbody>
        </table>
        {inspecting !== undefined && <Inspect key={`${inspecting}-${done}`} id={inspecting} />}
      </div>
    </section>
  );
}
