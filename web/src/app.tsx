/**
 * The console's frame: sign-in until a key is accepted, then the navigation, a search box that
 * takes any id from any screen, and the screens under /console.
 */
import { useEffect, useMemo, useState } from 'react';
import { Link, Redirect, Route, Router, Switch, useLocation } from 'wouter';
import { credentials } from './lib/api.ts';
import { SessionContext, type Session } from './lib/session.tsx';
import { ApprovalsScreen } from './screens/approvals.tsx';
import { ConnectorsScreen } from './screens/connectors.tsx';
import { ContractsScreen } from './screens/contracts.tsx';
import { DeadLettersScreen } from './screens/dead-letters.tsx';
import { OverviewScreen } from './screens/overview.tsx';
import { ReconcileScreen } from './screens/reconcile.tsx';
import { RunDetailScreen } from './screens/run-detail.tsx';
import { RunsScreen } from './screens/runs.tsx';
import { SearchScreen } from './screens/search.tsx';
import { SignIn, whoAmI, type SignedIn } from './screens/sign-in.tsx';

const NAV: ReadonlyArray<[string, string]> = [
  ['/', 'Overview'],
  ['/search', 'Search'],
  ['/runs', 'Runs'],
  ['/dead-letters', 'Dead letters'],
  ['/approvals', 'Approvals'],
  ['/reconcile', 'Reconciliation'],
  ['/contracts', 'Contracts'],
  ['/connectors', 'Connectors'],
];

function QuickSearch() {
  const [, navigate] = useLocation();
  const [text, setText] = useState('');
  return (
    <form
      className="quick-search"
      onSubmit={(e) => {
        e.preventDefault();
        if (text.trim() !== '') navigate(`/search/${encodeURIComponent(text.trim())}`);
        setText('');
      }}
    >
      <input value={text} onChange={(e) => setText(e.target.value)} placeholder="Find any id…" aria-label="find any id" />
    </form>
  );
}

function Shell({ session }: { session: Session }) {
  const [location] = useLocation();
  const active = (href: string) => (href === '/' ? location === '/' : location.startsWith(href));
  return (
    <div className="shell">
      <nav className="side">
        <div className="brand">Interlock</div>
        {NAV.map(([href, label]) => (
          <Link key={href} href={href} className={active(href) ? 'active' : ''}>
            {label}
          </Link>
        ))}
      </nav>
      <div className="main">
        <header className="top">
          <QuickSearch />
          <span className="who" data-testid="who">
            {session.name === undefined ? session.actor : `${session.name} (${session.actor})`} · <span className="badge role">{session.role}</span>
          </span>
          <button type="button" className="btn plain" onClick={session.signOut}>Sign out</button>
        </header>
        <Switch>
          <Route path="/" component={OverviewScreen} />
          <Route path="/search" component={SearchScreen} />
          <Route path="/search/:id" component={SearchScreen} />
          <Route path="/runs" component={RunsScreen} />
          <Route path="/runs/:id" component={RunDetailScreen} />
          <Route path="/dead-letters" component={DeadLettersScreen} />
          <Route path="/approvals" component={ApprovalsScreen} />
          <Route path="/reconcile" component={ReconcileScreen} />
          <Route path="/contracts" component={ContractsScreen} />
          <Route path="/contracts/:subject" component={ContractsScreen} />
          <Route path="/connectors" component={ConnectorsScreen} />
          <Route><Redirect to="/" /></Route>
        </Switch>
      </div>
    </div>
  );
}

/** The console. */
export function App() {
  const [who, setWho] = useState<SignedIn | null>(null);
  const [checking, setChecking] = useState(credentials.key() !== '');

  // A reload keeps the tab's key: ask once more who it is (it may have been revoked meanwhile).
  useEffect(() => {
    if (!checking) return;
    whoAmI().then(setWho, () => credentials.clear()).finally(() => setChecking(false));
  }, [checking]);

  const session = useMemo<Session | null>(
    () => (who === null ? null : { ...who, signOut: () => { credentials.clear(); setWho(null); } }),
    [who],
  );
  if (checking) return <div className="muted pad">Signing in…</div>;
  if (session === null) return <SignIn onSignedIn={setWho} />;
  return (
    <SessionContext.Provider value={session}>
      <Router base="/console">
        <Shell session={session} />
      </Router>
    </SessionContext.Provider>
  );
}
