/** Runs: every workflow run, filtered by status, flow or business key; each opens its timeline. */
import { useState } from 'react';
import { Link } from 'wouter';
import { ErrorBox, Loading } from '../components/notice.tsx';
import { Status } from '../components/status.tsx';
import { query } from '../lib/api.ts';
import { when } from '../lib/format.ts';
import type { RunSummary } from '../lib/types.ts';
import { useApi } from '../lib/use-api.ts';

const STATUSES = ['', 'queued', 'running', 'waiting', 'compensating', 'completed', 'failed', 'compensated', 'compensation-failed', 'cancelled'];

/** The runs screen (refreshes every 5 s). */
export function RunsScreen() {
  const [status, setStatus] = useState('');
  const [key, setKey] = useState('');
  const { data, error, loading } = useApi<{ items: RunSummary[] }>(`/admin/runs${query({ status, key: key.trim(), limit: 200 })}`, 5000);
  return (
    <section>
      <h1>Runs</h1>
      <div className="filters">
        <label>
          status{' '}
          <select value={status} onChange={(e) => setStatus(e.target.value)} data-testid="run-status-filter">
            {STATUSES.map((s) => <option key={s} value={s}>{s === '' ? 'any' : s}</option>)}
          </select>
        </label>
        <label>
          business key <input value={key} onChange={(e) => setKey(e.target.value)} placeholder="e.g. a Salesforce opportunity id" />
        </label>
      </div>
      <ErrorBox error={error} />
      <Loading when={loading && data === undefined} />
      {data !== undefined && (
        <table className="grid" data-testid="runs">
          <thead>
            <tr><th>run</th><th>flow</th><th>key</th><th>status</th><th>waiting for / error</th><th>updated</th></tr>
          </thead>
          <tbody>
            {data.items.map((r) => (
              <tr key={r.id}>
                <td><Link href={`/runs/${r.id}`}>#{r.id}</Link></td>
                <td>{r.flow} v{r.version}</td>
                <td className="mono">{r.key}</td>
                <td><Status status={r.status} /></td>
                <td className="clip">{r.error ?? r.waitingFor ?? ''}</td>
                <td>{when(r.updatedAt)}</td>
              </tr>
            ))}
            {data.items.length === 0 && <tr><td colSpan={6} className="muted">No runs match.</td></tr>}
          </tbody>
        </table>
      )}
    </section>
  );
}
