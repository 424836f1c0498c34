/** Connectors: each system's health, rate-limit budget left, circuit state and latency. */
import { ErrorBox, Loading } from '../components/notice.tsx';
import { Status } from '../components/status.tsx';
import { duration } from '../lib/format.ts';
import type { Overview } from '../lib/types.ts';
import { useApi } from '../lib/use-api.ts';

/** The connectors screen (refreshes every 10 s). */
export function ConnectorsScreen() {
  const { data, error, loading } = useApi<Overview>('/admin/overview', 10_000);
  return (
    <section>
      <h1>Connectors</h1>
      <p className="muted">Health as Interlock sees it from its calls: an open circuit means calls are held back until the system recovers.</p>
      <ErrorBox error={error} />
      <Loading when={loading && data === undefined} />
      {data !== undefined && (
        <table className="grid" data-testid="connectors">
          <thead>
            <tr><th>system</th><th>health</th><th>circuit</th><th>rate-limit budget left</th><th>latency p50</th></tr>
          </thead>
          <tbody>
            {data.systems.map((s) => (
              <tr key={s.name} data-testid={`connector-${s.name}`}>
                <td><strong>{s.name}</strong></td>
                <td><Status status={s.status} /></td>
                <td>{s.circuit === undefined ? '—' : <Status status={s.circuit} />}</td>
                <td>{s.rateLimitRemaining === undefined || s.rateLimitRemaining === null ? '—' : s.rateLimitRemaining.toLocaleString('en-US')}</td>
                <td>{duration(s.latencyP50Ms)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
