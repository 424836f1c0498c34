/** A coloured status word (run, step, dead letter, system, heal). */

const TONE: Record<string, string> = {
  completed: 'good', ok: 'good', up: 'good', closed: 'good', delivered: 'good', healed: 'good', replayed: 'good', Synced: 'good',
  running: 'busy', queued: 'busy', delivering: 'busy', healing: 'busy', pending: 'busy', 'half-open': 'warn',
  waiting: 'warn', degraded: 'warn', 'pending-approval': 'warn', compensating: 'warn', parked: 'warn', manual: 'warn',
  failed: 'bad', error: 'bad', down: 'bad', open: 'bad', 'compensation-failed': 'bad', rejected: 'bad', dead: 'bad',
  cancelled: 'muted', compensated: 'muted', discarded: 'muted', unknown: 'muted', none: 'muted',
};

/** The badge of `status`. */
export function Status({ status }: { status: string | null | undefined }) {
  const s = status ?? 'unknown';
  return <span className={`badge ${TONE[s] ?? 'muted'}`}>{s}</span>;
}
