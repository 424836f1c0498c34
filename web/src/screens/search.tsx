/**
 * Search by any system's id (Salesforce, NetSuite, Stripe, a run, an event): the lineage laid out
 * as lanes, one per system in the order a deal travels, and the trace timeline beneath it. Picking
 * a node shows its payload (secrets masked) and what it caused or came from.
 */
import { useState } from 'react';
import { useLocation, useParams } from 'wouter';
import { ErrorBox, Loading } from '../components/notice.tsx';
import { JsonView } from '../components/json-view.tsx';
import { Status } from '../components/status.tsx';
import { Timeline } from '../components/timeline.tsx';
import { ApiError } from '../lib/api.ts';
import { when } from '../lib/format.ts';
import type { Lineage, LineageNode } from '../lib/types.ts';
import { useApi } from '../lib/use-api.ts';

// A deal that renewed and billed for months has hundreds of nodes: each lane shows its first few until asked.
const LANE_CAP = 8;
const LANES = ['salesforce', 'interlock', 'netsuite', 'stripe', 'avalara'];
const TITLES: Record<string, string> = { salesforce: 'Salesforce', interlock: 'Interlock', netsuite: 'NetSuite', stripe: 'Stripe', avalara: 'Avalara' };

function lanesOf(nodes: readonly LineageNode[]): Array<[string, LineageNode[]]> {
  const systems = [...new Set([...LANES, ...nodes.map((n) => n.system)])];
  return systems
    .map((s): [string, LineageNode[]] => [s, nodes.filter((n) => n.system === s).sort((a, b) => a.at.localeCompare(b.at))])
    .filter(([, ns]) => ns.length > 0);
}

function NodeDetail({ node, lineage }: { node: LineageNode; lineage: Lineage }) {
  const label = (key: string) => lineage.nodes.find((n) => n.key === key)?.label ?? key;
  const edges = lineage.edges.filter((e) => e.from === node.key || e.to === node.key);
  return (
    <aside className="panel" data-testid="node-detail">
      <h3>{node.label}</h3>
      <dl className="facts">
        <dt>system</dt><dd>{TITLES[node.system] ?? node.system}</dd>
        <dt>kind</dt><dd>{node.kind}</dd>
        <dt>at</dt><dd>{when(node.at)}</dd>
        {node.status !== undefined && (<><dt>status</dt><dd><Status status={node.status} /></dd></>)}
        {node.attempts !== undefined && (<><dt>attempts</dt><dd>{node.attempts}{node.attempts > 1 ? ' (retried)' : ''}</dd></>)}
        {node.payloadVersion !== undefined && (<><dt>payload version</dt><dd>{node.payloadVersion}</dd></>)}
        {node.traceId !== undefined && (<><dt>trace</dt><dd className="mono">{node.traceId}</dd></>)}
      </dl>
      {edges.length > 0 && (
        <ul className="edges">
          {edges.map((e) => (
            <li key={`${e.from}-${e.relation}-${e.to}`}>
              {e.from === node.key ? `${e.relation} → ${label(e.to)}` : `${label(e.from)} ${e.relation} this`}
            </li>
          ))}
        </ul>
      )}
      {node.detail !== undefined && <JsonView label="payload" value={node.detail} />}
    </aside>
  );
}

/** The search screen; `/search/:id` opens with that id's lineage. */
export function SearchScreen() {
  const params = useParams<{ id?: string }>();
  const [, navigate] = useLocation();
  const id = params.id === undefined ? '' : decodeURIComponent(params.id);
  const [text, setText] = useState(id);
  const [picked, setPicked] = useState<string>();
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  const { data, error, loading } = useApi<Lineage>(id === '' ? null : `/admin/lineage/${encodeURIComponent(id)}`);
  const notFound = error instanceof ApiError && error.status === 404;
  const node = data?.nodes.find((n) => n.key === picked);
  return (
    <section>
      <h1>Search</h1>
      <form
        className="search"
        onSubmit={(e) => {
          e.preventDefault();
          setPicked(undefined);
          setExpanded(new Set());
          if (text.trim() !== '') navigate(`/search/${encodeURIComponent(text.trim())}`);
        }}
      >
        <input
          data-testid="search-input"
          value={text}
          onChange={(e) => setText(e.target.value)}
          placeholder="Any id: Salesforce 006…, NetSuite SO…, Stripe sub_/in_/cus_…, run:12, an event id"
          aria-label="id to search"
          autoFocus
        />
        <button className="btn primary" type="submit">Search</button>
      </form>
      {notFound ? <div className="notice">Nothing is known about {id}.</div> : <ErrorBox error={error} />}
      <Loading when={loading} />
      {data !== undefined && !loading && error === undefined && (
        <>
          <h2>Path</h2>
          <div className="lineage">
            <div className="lanes" data-testid="lanes">
              {lanesOf(data.nodes).map(([system, nodes]) => (
                <div className="lane" key={system} data-testid={`lane-${system}`}>
                  <h3>{TITLES[system] ?? system}</h3>
                  {(expanded.has(system) ? nodes : nodes.slice(0, LANE_CAP)).map((n) => (
                    <button type="button" key={n.key} className={`node${n.key === picked ? ' picked' : ''}`} onClick={() => setPicked(n.key)} data-testid="lineage-node">
                      <span className="node-label">{n.label}</span>
                      <span className="node-meta">
                        {n.kind} · {when(n.at).slice(11)}
                        {n.attempts !== undefined && n.attempts > 1 ? ` · ${n.attempts} attempts` : ''}
                      </span>
                      {n.status !== undefined && <Status status={n.status} />}
                    </button>
                  ))}
                  {nodes.length > LANE_CAP && !expanded.has(system) && (
                    <button type="button" className="btn plain" onClick={() => setExpanded((e) => new Set([...e, system]))}>
                      {nodes.length - LANE_CAP} more
                    </button>
                  )}
                </div>
              ))}
            </div>
            {node !== undefined && <NodeDetail node={node} lineage={data} />}
          </div>
          <h2>Trace timeline</h2>
          <Timeline spans={data.timeline} />
        </>
      )}
    </section>
  );
}
