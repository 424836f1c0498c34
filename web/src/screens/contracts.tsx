/**
 * Contract registry: the subjects with their latest version, whether the contracts this build
 * ships are compatible with what is registered (breaking changes named), and a visual diff
 * between any two published versions of a subject.
 */
import { useState } from 'react';
import { useParams, useLocation } from 'wouter';
import { ErrorBox, Loading } from '../components/notice.tsx';
import { SchemaDiff } from '../components/schema-diff.tsx';
import { Status } from '../components/status.tsx';
import { when } from '../lib/format.ts';
import type { ContractCheck, ContractSubject, ContractVersion } from '../lib/types.ts';
import { useApi } from '../lib/use-api.ts';

/** A breaking change in words: the registry's `detail` when it has one. */
function describeChange(x: unknown): string {
  if (typeof x === 'string') return x;
  const d = (x as { detail?: unknown } | null)?.detail;
  return typeof d === 'string' ? d : JSON.stringify(x);
}

function Versions({ subject }: { subject: string }) {
  const { data, error } = useApi<ContractSubject & { versions: ContractVersion[]; proposals: unknown[] }>(`/admin/contracts/${encodeURIComponent(subject)}`);
  const versions = data?.versions ?? [];
  const [from, setFrom] = useState<string>();
  const [to, setTo] = useState<string>();
  const a = versions.find((v) => v.version === from) ?? versions.at(-2) ?? versions.at(-1);
  const b = versions.find((v) => v.version === to) ?? versions.at(-1);
  return (
    <div data-testid="contract-versions">
      <h2>{subject}</h2>
      <ErrorBox error={error} />
      {data !== undefined && (
        <>
          <p className="muted">owner {data.owner} · {data.kind} · compatibility {data.mode} · {versions.length} version{versions.length === 1 ? '' : 's'} · {data.proposals.length} open proposal{data.proposals.length === 1 ? '' : 's'}</p>
          <table className="grid">
            <thead><tr><th>version</th><th>published</th><th>by</th></tr></thead>
            <tbody>
              {versions.map((v) => (
                <tr key={v.version}><td>{v.version}</td><td>{when(new Date(v.publishedAt).toISOString())}</td><td>{v.publishedBy}</td></tr>
              ))}
            </tbody>
          </table>
          {a !== undefined && b !== undefined && (
            <>
              <div className="filters">
                <label>from <select value={a.version} onChange={(e) => setFrom(e.target.value)} data-testid="diff-from">{versions.map((v) => <option key={v.version}>{v.version}</option>)}</select></label>
                <label>to <select value={b.version} onChange={(e) => setTo(e.target.value)} data-testid="diff-to">{versions.map((v) => <option key={v.version}>{v.version}</option>)}</select></label>
              </div>
              <SchemaDiff before={a.schema} after={b.schema} />
            </>
          )}
        </>
      )}
    </div>
  );
}

/** The contracts screen; `/contracts/:subject` opens a subject. */
export function ContractsScreen() {
  const params = useParams<{ subject?: string }>();
  const [, navigate] = useLocation();
  const list = useApi<{ items: ContractSubject[] }>('/admin/contracts');
  const check = useApi<ContractCheck>('/admin/contracts/check');
  const byName = new Map(check.data?.items.map((c) => [c.subject, c]));
  return (
    <section>
      <h1>Contracts</h1>
      <ErrorBox error={list.error ?? check.error} />
      <Loading when={list.loading && list.data === undefined} />
      {check.data !== undefined && (
        <p>Shipped contracts against the registry: <Status status={check.data.compatible ? 'ok' : 'failed'} /> {check.data.compatible ? 'compatible' : 'breaking changes below'}</p>
      )}
      <table className="grid" data-testid="contracts">
        <thead><tr><th>subject</th><th>owner</th><th>kind</th><th>mode</th><th>registered</th><th>shipped</th><th>check</th></tr></thead>
        <tbody>
          {list.data?.items.map((s) => {
            const c = byName.get(s.subject);
            return (
              <tr key={s.subject} className={`clickable${params.subject === s.subject ? ' picked' : ''}`} onClick={() => navigate(`/contracts/${s.subject}`)}>
                <td><strong>{s.subject}</strong></td>
                <td>{s.owner}</td>
                <td>{s.kind}</td>
                <td>{s.mode}</td>
                <td>{s.latest ?? '—'}</td>
                <td>{c?.shipped ?? '—'}</td>
                <td>
                  {c === undefined ? '—' : <Status status={c.compatible ? 'ok' : 'failed'} />}
                  {c !== undefined && c.breaking.length > 0 && <div className="bad-text">{c.breaking.map(describeChange).join('; ')}</div>}
                </td>
              </tr>
            );
          })}
          {list.data?.items.length === 0 && <tr><td colSpan={7} className="muted">No contract is registered yet (interlock contracts register).</td></tr>}
        </tbody>
      </table>
      {params.subject !== undefined && <Versions key={params.subject} subject={params.subject} />}
    </section>
  );
}
