/** Overview: business KPIs, SLOs with their error budgets, system health and charts over time. */
import { Link } from 'wouter';
import { LineChart } from '../components/line-chart.tsx';
import { ErrorBox, Loading } from '../components/notice.tsx';
import { Status } from '../components/status.tsx';
import { count, duration, percent } from '../lib/format.ts';
import type { Overview } from '../lib/types.ts';
import { useApi } from '../lib/use-api.ts';

function Kpi({ label, value, to, alert }: { label: string; value: string; to?: string; alert?: boolean }) {
  const body = (
    <>
      <div className="kpi-value">{value}</div>
      <div className="kpi-label">{label}</div>
    </>
  );
  return (
    <div className={`kpi${alert === true ? ' alert' : ''}`} data-testid={`kpi-${label}`}>
      {to === undefined ? body : <Link href={to}>{body}</Link>}
    </div>
  );
}

/** The overview screen (refreshes every 15 s). */
export function OverviewScreen() {
  const { data, error, loading } = useApi<Overview>('/admin/overview', 15_000);
  return (
    <section>
      <h1>Overview</h1>
      <ErrorBox error={error} />
      <Loading when={loading && data === undefined} />
      {data !== undefined && (
        <>
          <div className="kpis" data-testid="kpis">
            <Kpi label="Orders booked" value={count(data.kpis.ordersBooked)} />
            <Kpi label="Order acceptance" value={percent(data.kpis.orderAcceptanceRate)} />
            <Kpi label="Invoices created" value={count(data.kpis.invoicesCreated)} />
            <Kpi label="Closed won → ERP p50" value={duration(data.kpis.closedWonToErpP50Ms)} />
            <Kpi label="Closed won → ERP p95" value={duration(data.kpis.closedWonToErpP95Ms)} />
            <Kpi label="Dead letters" value={count(data.kpis.deadLetters)} to="/dead-letters" alert={data.kpis.deadLetters > 0} />
            <Kpi label="Runs waiting" value={count(data.kpis.runsWaiting)} to="/approvals" />
            <Kpi label="Open discrepancies" value={count(data.kpis.openDiscrepancies)} to="/reconcile" alert={data.kpis.openDiscrepancies > 0} />
          </div>

          <h2>Service level objectives</h2>
          <table className="grid" data-testid="slos">
            <thead>
              <tr><th>objective</th><th>target</th><th>now</th><th>error budget left</th><th>burn rate</th></tr>
            </thead>
            <tbody>
              {data.slos.map((s) => {
                const budget = s.errorBudgetRemaining;
                return (
                  <tr key={s.name}>
                    <td><strong>{s.name}</strong><div className="muted">{s.description}</div></td>
                    <td>{percent(s.objective)} over {s.window}</td>
                    <td className={s.sli !== null && s.sli < s.objective ? 'bad-text' : ''}>{percent(s.sli, 2)}</td>
                    <td>
                      <div className="budget" title={percent(budget)}>
                        <div className={`budget-fill${budget !== null && budget < 0.25 ? ' low' : ''}`} style={{ width: `${Math.max(0, Math.min(1, budget ?? 0)) * 100}%` }} />
                      </div>
                      {percent(budget)}
                    </td>
                    <td className={s.burnRate !== null && s.burnRate > 1 ? 'bad-text' : ''}>{s.burnRate === null ? '—' : `${s.burnRate.toFixed(2)}×`}</td>
                  </tr>
                );
              })}
              {data.slos.length === 0 && <tr><td colSpan={5} className="muted">No SLOs declared in the configuration.</td></tr>}
            </tbody>
          </table>

          <h2>Systems</h2>
          <div className="systems" data-testid="systems">
            {data.systems.map((s) => (
              <div className="system" key={s.name}>
                <strong>{s.name}</strong> <Status status={s.status} />
              </div>
            ))}
            <Link href="/connectors">details →</Link>
          </div>

          <h2>Over time</h2>
          <div className="charts">
            {data.series.map((s) => <LineChart key={s.name} name={s.name} unit={s.unit} points={s.points} />)}
          </div>
        </>
      )}
    </section>
  );
}
