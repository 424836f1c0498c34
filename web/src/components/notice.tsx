/** Messages on a screen: an API error (problem details), an outcome, or loading. */
import type { ReactNode } from 'react';
import { ApiError } from '../lib/api.ts';

/** An error box; says what a 403 means in the console's words. */
export function ErrorBox({ error }: { error: Error | undefined }) {
  if (error === undefined) return null;
  const forbidden = error instanceof ApiError && error.status === 403;
  return (
    <div className="notice error" role="alert">
      {forbidden ? `Your key may not do this. ${error.message}` : error.message}
    </div>
  );
}

/** A confirmation of what an action did. */
export function Done({ children }: { children: ReactNode }) {
  if (children === null || children === undefined || children === '') return null;
  return (
    <div className="notice ok" role="status">
      {children}
    </div>
  );
}

/** Shown while the first answer is on its way. */
export function Loading({ when }: { when: boolean }) {
  return when ? <div className="muted">Loading…</div> : null;
}
