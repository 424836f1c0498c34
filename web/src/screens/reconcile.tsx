/**
 * Reconciliation: run a job (report only, or report and heal), the run history, and a run's
 * report — every discrepancy with its heal status; heals waiting for a person are approved or
 * rejected here (approver role). The whole report downloads as CSV.
 */
import { useState } from 'react';
import { ActionButton } from '../components/action-button.tsx';
import { Done, ErrorBox, Loading } from '../components/notice.tsx';
import { Status } from '../components/status.tsx';
import { download, post } from '../lib/api.ts';
import { when } from '../lib/format.ts';
import type { Discrepancy, ReconcileJob, ReconcileRun } from '../lib/types.ts';
import { useApi } from '../lib/use-api.ts';

const show = (v: unknown) => (v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v));

function Report({ run, onAct }: { run: ReconcileRun; onAct: (what: string, err?: Error) => void }) {
  const { data, error, reload } = useApi<{ items: Discrepancy[]; next: number | null }>(`/admin/reconcile/runs/${run.id}/discrepancies?limit=500`);
  const [reason, setReason] = useState('');
  const acted = (what: string) => () => { onAct(what); reload(); };
  return (
    <div data-testid="reconcile-report">
      <h2>Run #{run.id}: {run.job} — {run.discrepancies} discrepanc{run.discrepancies === 1 ? 'y' : 'ies'}</h2>
      <p className="muted">
        read {Object.entries(run.read).map(([s, n]) => `${s} ${n}`).join(', ')} · <button type="button" className="btn plain" onClick={() => void download(`/admin/reconcile/runs/${run.id}/discrepancies?format=csv`, `reconcile-${run.job}-${run.id}.csv`).catch((e: unknown) => onAct('', e instanceof Error ? e : new Error(String(e))))}>Download CSV</button>
      </p>
      <ErrorBox error={error} />
      <input value={reason} onChange={(e) => setReason(e.target.value)} placeholder="Reason for a rejection" aria-label="rejection reason" />
      <table className="grid">
        <thead>
          <tr><th>#</th><th>kind</th><th>key</th><th>system</th><th>field</th><th>expected</th><th>actual</th><th>heal</th><th /></tr>
        </thead>
        <tbody>
          {data?.items.map((d) => (
            <tr key={d.id}>
              <td>{d.id}</td>
              <td>{d.kind}</td>
              <td className="mono">{d.key}</td>
              <td>{d.system}</td>
              <td>{d.field ?? ''}</td>
              <td className="clip">{show(d.expected)}</td>
              <td className="clip">{show(d.actual)}</td>
              <td><Status status={d.healStatus} />{d.healDetail !== null && <div className="muted">{d.healDetail}</div>}</td>
              <td className="row-actions">
                {d.healStatus === 'pending-approval' && (
                  <>
                    <ActionButton needs="approver" kind="primary" run={() => post(`/admin/reconcile/discrepancies/${d.id}/approve`)} onDone={acted(`Heal of #${d.id} approved.`)} onError={(e) => onAct('', e)}>Approve heal</ActionButton>
                    <ActionButton needs="approver" kind="danger" disabled={reason.trim() === ''} run={() => post(`/admin/reconcile/discrepancies/${d.id}/reject`, { reason: reason.trim() })} onDone={acted(`Heal of #${d.id} rejected.`)} onError={(e) => onAct('', e)}>Reject</ActionButton>
                  </>
                )}
              </td>
            </tr>
          ))}
          {data?.items.length === 0 && <tr><td colSpan={9} className="muted">The systems agree.</td></tr>}
        </tbody>
      </table>
    </div>
  );
}

/** The reconciliation screen. */
export function ReconcileScreen() {
  const jobs = useApi<{ items: ReconcileJob[] }>('/admin/reconcile/jobs');
  const runs = useApi<{ items: ReconcileRun[] }>('/admin/reconcile/runs?limit=50', 10_000);
  const [picked, setPicked] = useState<number>();
  const [done, setDone] = useState('');
  const [actionError, setActionError] = useState<Error>();
  const onAct = (what: string, err?: Error) => { setDone(what); setActionError(err); runs.reload(); };
  const started = (r: unknown) => {
    const id = (r as { run?: { id?: number }; id?: number }).run?.id ?? (r as { id?: number }).id;
    if (id !== undefined) setPicked(id);
    onAct('Reconciliation finished.');
  };
  const run = runs.data?.items.find((r) => r.id === picked);
  return (
    <section>
      <h1>Reconciliation</h1>
      <ErrorBox error={jobs.error ?? runs.error} />
      <Loading when={jobs.loading && jobs.data === undefined} />
      <table className="grid" data-testid="reconcile-jobs">
        <thead><tr><th>job</th><th>compares</th><th>safe heals</th><th /></tr></thead>
        <tbody>
          {jobs.data?.items.map((j) => (
            <tr key={j.name}>
              <td><strong>{j.name}</strong></td>
              <td>{j.description}</td>
              <td>{j.safe.join(', ') || '—'}</td>
              <td className="row-actions">
                <ActionButton needs="operator" run={() => post(`/admin/reconcile/${j.name}/run`, {})} onDone={started} onError={setActionError}>Report</ActionButton>
                <ActionButton needs="operator" kind="primary" confirm={`Reconcile ${j.name} and heal what is safe to heal?`} run={() => post(`/admin/reconcile/${j.name}/run`, { heal: true })} onDone={started} onError={setActionError}>Report and heal</ActionButton>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <Done>{done}</Done>
      <ErrorBox error={actionError} />
      <h2>Runs</h2>
      <table className="grid" data-testid="reconcile-runs">
        <thead><tr><th>#</th><th>job</th><th>status</th><th>started</th><th>by</th><th>discrepancies</th></tr></thead>
        <tbody>
          {runs.data?.items.map((r) => (
            <tr key={r.id} className={`clickable${r.id === picked ? ' picked' : ''}`} onClick={() => setPicked(r.id)}>
              <td>{r.id}</td>
              <td>{r.job}</td>
              <td><Status status={r.status} /></td>
              <td>{when(r.startedAt)}</td>
              <td>{r.startedBy}</td>
              <td>{r.discrepancies}{Object.keys(r.kinds).length > 0 && <span className="muted"> ({Object.entries(r.kinds).map(([k, n]) => `${k} ${n}`).join(', ')})</span>}</td>
            </tr>
          ))}
          {runs.data?.items.length === 0 && <tr><td colSpan={6} className="muted">No reconciliation has run yet.</td></tr>}
        </tbody>
      </table>
      {run !== undefined && <Report key={`${run.id}-${done}`} run={run} onAct={onAct} />}
    </section>
  );
}
