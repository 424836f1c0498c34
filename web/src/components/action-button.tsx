/**
 * A button for an action the API guards by role: disabled, with the reason as its tooltip, when
 * the signed-in key lacks the role (the API would refuse anyway); busy while the call runs; the
 * outcome reported to the screen through `onDone` / `onError`.
 */
import { useState, type ReactNode } from 'react';
import { useCan } from '../lib/session.tsx';
import type { Role } from '../lib/roles.ts';

/** Props of {@link ActionButton}. */
export interface ActionButtonProps {
  needs: Role;
  run: () => Promise<unknown>;
  onDone?: (result: unknown) => void;
  onError?: (err: Error) => void;
  /** Asked with `window.confirm` first (destructive actions). */
  confirm?: string;
  disabled?: boolean;
  kind?: 'primary' | 'danger' | 'plain';
  testId?: string;
  children: ReactNode;
}

/** A role-aware action button. */
export function ActionButton(p: ActionButtonProps) {
  const allowed = useCan(p.needs);
  const [busy, setBusy] = useState(false);
  const click = async () => {
    if (p.confirm !== undefined && !window.confirm(p.confirm)) return;
    setBusy(true);
    try {
      p.onDone?.(await p.run());
    } catch (err) {
      p.onError?.(err instanceof Error ? err : new Error(String(err)));
    } finally {
      setBusy(false);
    }
  };
  return (
    <button
      type="button"
      className={`btn ${p.kind ?? 'plain'}`}
      disabled={!allowed || busy || p.disabled === true}
      title={allowed ? undefined : `needs the ${p.needs} role`}
      data-testid={p.testId}
      data-needs={p.needs}
      onClick={() => void click()}
    >
      {busy ? '…' : p.children}
    </button>
  );
}
