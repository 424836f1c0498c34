/** Approvals inbox: runs waiting for a person's decision, what each asks, approve or reject with a reason. */
import { useState } from 'react';
import { Link } from 'wouter';
import { Decision } from '../components/decision.tsx';
import { JsonView } from '../components/json-view.tsx';
import { Done, ErrorBox, Loading } from '../components/notice.tsx';
import { when } from '../lib/format.ts';
import type { Approval } from '../lib/types.ts';
import { useApi } from '../lib/use-api.ts';

/** The approvals screen (refreshes every 5 s). */
export function ApprovalsScreen() {
  const { data, error, loading, reload } = useApi<{ items: Approval[] }>('/admin/approvals', 5000);
  const [done, setDone] = useState('');
  const [actionError, setActionError] = useState<Error>();
  return (
    <section>
      <h1>Approvals</h1>
      <Done>{done}</Done>
      <ErrorBox error={actionError ?? error} />
      <Loading when={loading && data === undefined} />
      {data !== undefined && data.items.length === 0 && <div className="muted" data-testid="approvals-empty">Nothing waits for a decision.</div>}
      <div className="cards" data-testid="approvals">
        {data?.items.map((a) => (
          <article className="card" key={a.runId} data-testid={`approval-${a.runId}`}>
            <header>
              <Link href={`/runs/${a.runId}`}>Run #{a.runId}</Link> · {a.flow} · <span className="mono">{a.key}</span>
              <span className="muted"> · step {a.step ?? '?'} · waiting since {when(a.since)}</span>
            </header>
            <JsonView label="what it asks" value={a.request} />
            <Decision
              runId={a.runId}
              onDone={() => {
                setDone(`Run #${a.runId}: decision recorded; the run continues.`);
                setActionError(undefined);
                reload();
              }}
              onError={setActionError}
            />
          </article>
        ))}
      </div>
    </section>
  );
}
