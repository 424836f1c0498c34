/**
 * Sign-in: the operator pastes an API key (from `interlock keys create` or an admin); it stays in
 * this tab's sessionStorage only. What they do is recorded under the key's label and id. On a fresh install with
 * no key issued yet, the empty key signs in from this machine, as the API itself allows.
 */
import { useState } from 'react';
import { ErrorBox } from '../components/notice.tsx';
import { credentials, get } from '../lib/api.ts';
import type { Role } from '../lib/roles.ts';

/** What a successful sign-in yields. */
export interface SignedIn {
  actor: string;
  /** The key's label, when signed in with an issued key. */
  name?: string;
  role: Role;
}

/** Asks the API who the stored key is. */
export function whoAmI(): Promise<SignedIn> {
  return get<SignedIn>('/admin/session');
}

/** The sign-in form. */
export function SignIn({ onSignedIn }: { onSignedIn: (s: SignedIn) => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    setBusy(true);
    credentials.save(key.trim());
    try {
      onSignedIn(await whoAmI());
    } catch (err) {
      credentials.clear();
      setError(err instanceof Error ? err : new Error(String(err)));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="sign-in">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <h1>Interlock console</h1>
        <p className="muted">Paste your API key. It is kept in this browser tab only and sent to this Interlock alone.</p>
        <label>
          API key
          <input type="password" autoComplete="off" value={key} onChange={(e) => setKey(e.target.value)} placeholder="ilk_live_…" data-testid="key-input" autoFocus />
        </label>
        <button className="btn primary" type="submit" disabled={busy} data-testid="sign-in">
          Sign in
        </button>
        <ErrorBox error={error} />
      </form>
    </main>
  );
}
