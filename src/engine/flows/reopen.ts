/**
 * Reopening parked runs when their dead letters are replayed: a `failed` run retries its failed
 * step, a `compensation-failed` run its failed compensation, each with a fresh count of attempts.
 * A run whose flow and key has another active run meanwhile stays as it is (one active run per
 * key holds).
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../store/schema.ts';

/** Makes the parked runs `ids` due again; resolves to how many were reopened. */
export async function reopenRuns(trx: Kysely<Database>, ids: readonly number[], now: number): Promise<number> {
  if (ids.length === 0) return 0;
  const { rows } = await sql<{ id: number }>`
    SELECT r.id FROM flow_runs r
     WHERE r.id IN (${sql.join([...ids])})
       AND r.status IN ('failed', 'compensation-failed')
       AND NOT EXISTS (
         SELECT 1 FROM flow_runs a
          WHERE a.flow = r.flow AND a.key = r.key AND a.status IN ('running', 'waiting', 'compensating'))`.execute(trx);
  const reopen = rows.map((r) => Number(r.id));
  if (reopen.length === 0) return 0;
  await trx.deleteFrom('flow_steps').where('run_id', 'in', reopen).where('status', '=', 'failed').execute();
  await sql`
    UPDATE flow_runs
       SET status = CASE WHEN status = 'failed' THEN 'running' ELSE 'compensating' END,
           stop_reason = CASE WHEN status = 'failed' THEN NULL ELSE stop_reason END,
           wake_at = ${now}, ended_at = NULL, updated_at = ${now}
     WHERE id IN (${sql.join(reopen)})`.execute(trx);
  return reopen.length;
}
