/**
 * One run: its input and output, the step timeline (attempts, waits, results, errors), and what
 * an operator can do — retry the failed step, cancel (with compensation), or decide an approval.
 */
import { useState } from 'react';
import { Link, useParams } from 'wouter';
import { ActionButton } from '../components/action-button.tsx';
import { Decision } from '../components/decision.tsx';
import { JsonView } from '../components/json-view.tsx';
import { Done, ErrorBox, Loading } from '../components/notice.tsx';
import { Status } from '../components/status.tsx';
import { post } from '../lib/api.ts';
import { duration, when } from '../lib/format.ts';
import type { RunDetail } from '../lib/types.ts';
import { useApi } from '../lib/use-api.ts';

/** "approved by Ada — reason" of an approval step's result. */
function DecisionSummary({ result }: { result: unknown }) {
  const r = result as { approved?: boolean; by?: string; reason?: string | null } | null;
  if (r === null || typeof r.approved !== 'boolean') return null;
  return (
    <div className={r.approved ? '' : 'bad-text'} data-testid="decision-summary">
      {r.approved ? 'approved' : 'rejected'} by {r.by ?? '?'}
      {r.reason !== null && r.reason !== undefined && r.reason !== '' ? ` — ${r.reason}` : ''}
    </div>
  );
}

const ENDED = new Set(['completed', 'compensated', 'compensation-failed', 'cancelled']);

/** The run screen (refreshes every 3 s while the run is live). */
export function RunDetailScreen() {
  const { id } = useParams<{ id: string }>();
  const [ended, setEnded] = useState(false);
  const { data, error, loading, reload } = useApi<RunDetail>(`/admin/runs/${id}`, ended ? undefined : 3000);
  const [done, setDone] = useState('');
  const [actionError, setActionError] = useState<Error>();
  // An ended run changes no more: stop polling it (React allows this update while rendering).
  if (data !== undefined && ENDED.has(data.status) !== ended) setEnded(ENDED.has(data.status));
  const after = (what: string) => () => {
    setDone(what);
    setActionError(undefined);
    reload();
  };
  const waitingApproval = data?.steps.some((s) => s.kind === 'approval' && s.status === 'waiting') === true;
  return (
    <section>
      <p><Link href="/runs">← runs</Link></p>
      <ErrorBox error={error} />
      <Loading when={loading && data === undefined} />
      {data !== undefined && (
        <>
          <h1>
            Run #{data.id} <Status status={data.status} />
          </h1>
          <dl className="facts">
            <dt>flow</dt><dd>{data.flow} v{data.version}</dd>
            <dt>key</dt><dd className="mono"><Link href={`/search/${encodeURIComponent(data.key)}`}>{data.key}</Link></dd>
            <dt>started</dt><dd>{when(data.createdAt)}</dd>
            <dt>ended</dt><dd>{when(data.endedAt)}</dd>
            {data.waitingFor !== null && (<><dt>waiting for</dt><dd>{data.waitingFor}</dd></>)}
            {data.error !== null && (<><dt>error</dt><dd className="bad-text">{data.error}</dd></>)}
          </dl>
          <div className="actions">
            <ActionButton needs="operator" kind="primary" testId="run-retry" disabled={data.status !== 'failed'} run={() => post(`/admin/runs/${data.id}/retry`)} onDone={after('Retry scheduled.')} onError={setActionError}>
              Retry failed step
            </ActionButton>
            <ActionButton needs="operator" kind="danger" testId="run-cancel" disabled={ENDED.has(data.status)} confirm={`Cancel run #${data.id}? Completed steps are compensated.`} run={() => post(`/admin/runs/${data.id}/cancel`)} onDone={after('Cancelled.')} onError={setActionError}>
              Cancel run
            </ActionButton>
          </div>
          {waitingApproval && <Decision runId={data.id} onDone={after('Decision recorded.')} onError={setActionError} />}
          <Done>{done}</Done>
          <ErrorBox error={actionError} />

          <h2>Steps</h2>
          <table className="grid" data-testid="steps">
            <thead>
              <tr><th>step</th><th>kind</th><th>status</th><th>attempts</th><th>started</th><th>took</th><th>result / error</th></tr>
            </thead>
            <tbody>
              {data.steps.map((s, i) => (
                <tr key={`${s.name}-${i}`}>
                  <td>{s.name}</td>
                  <td>{s.kind}</td>
                  <td><Status status={s.status} /></td>
                  <td>{s.attempts}{s.attempts > 1 ? ' ↻' : ''}</td>
                  <td>{when(s.startedAt).slice(11)}</td>
                  <td>{s.endedAt === null ? '…' : duration(Date.parse(s.endedAt) - Date.parse(s.startedAt))}</td>
                  <td>
                    {s.error !== null && <div className="bad-text">{s.error}</div>}
                    {s.kind === 'approval' && <DecisionSummary result={s.result} />}
                    {s.waitingFor !== null && <JsonView label="waiting for" value={s.waitingFor} open={false} />}
                    {s.result !== null && <JsonView label="result" value={s.result} open={false} />}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <JsonView label="input" value={data.input} open={false} />
          {data.output !== null && <JsonView label="output" value={data.output} open={false} />}
        </>
      )}
    </section>
  );
}
