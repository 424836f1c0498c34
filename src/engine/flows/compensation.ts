/**
 * Compensation: after a permanent failure, or when an operator cancels a run, the compensations
 * registered by completed steps run in reverse order. Each is journaled (`compensate:<step>`), so
 * a crash never runs one twice, and retried with backoff; one that cannot succeed leaves the run
 * `compensation-failed` with a dead letter, never silently.
 */
import type { Clock } from '../../core/clock.ts';
import { toInterlockError } from '../../core/errors.ts';
import type { FlowDefinition } from '../../flows/define-flow.ts';
import type { RunStatus } from '../../store/migrations/0200-flows.ts';
import { nextDelay } from '../backoff.ts';
import type { OutboundMessage } from '../outbox.ts';
import type { Journal } from './journal.ts';
import type { ReplayContext } from './replay-context.ts';
import { FlowSignal } from './signals.ts';

/** Runs the remaining compensations of `ctx`'s run and ends it; returns when done or suspended. */
export async function compensate(
  ctx: ReplayContext,
  def: FlowDefinition,
  journal: Journal,
  clock: Clock,
  reason: 'failed' | 'cancelled',
): Promise<void> {
  const order = [...ctx.compensations].reverse();
  for (const [i, c] of order.entries()) {
    const name = `compensate:${c.step}`;
    const row = ctx.journal.get(name);
    if (row?.status === 'completed') continue;
    const attempt = (row?.attempts ?? 0) + 1;
    const messages: OutboundMessage[] = [];
    let value: unknown;
    try {
      value = await c.fn(c.result, ctx.scope(name, attempt, messages));
    } catch (thrown) {
      if (thrown instanceof FlowSignal) return;
      const err = toInterlockError(thrown);
      const error = `${err.code}: ${err.message}`;
      const seq = 10_000 + i;
      if (err.retryable && attempt < def.retry.maxAttempts) {
        await ctx.write([ctx.row(name, 'compensation', { seq, status: 'retrying', attempts: attempt, error, ended_at: null })], {
          wake_at: clock.now() + nextDelay(def.retry, attempt, err.retryAfterMs),
          release: true,
        });
        return;
      }
      await journal.write({
        runId: ctx.runId,
        steps: [ctx.row(name, 'compensation', { seq, status: 'failed', attempts: attempt, error })],
        run: { status: 'compensation-failed', error: `compensation of step "${c.step}" failed: ${error}`, wake_at: null, ended_at: clock.now(), release: true },
        deadLetter: { reason: `run ${ctx.runId} of flow "${ctx.flow}": compensation of step "${c.step}" failed: ${error}`, attempts: attempt, errorClass: err.retryable ? 'retryable' : 'permanent' },
        promote: { flow: ctx.flow, key: ctx.key },
      });
      return;
    }
    await ctx.write([ctx.row(name, 'compensation', { seq: 10_000 + i, status: 'completed', attempts: attempt, result: JSON.stringify(value ?? null) })], undefined, messages);
  }
  // Nothing to undo after a failure means nothing was undone: the failure itself is parked.
  const final: RunStatus = reason === 'cancelled' ? 'cancelled' : order.length === 0 ? 'failed' : 'compensated';
  await journal.write({
    runId: ctx.runId,
    run: { status: final, wake_at: null, ended_at: clock.now(), release: true },
    ...(final === 'failed' ? { deadLetter: { reason: `run ${ctx.runId} of flow "${ctx.flow}" failed with nothing to compensate`, attempts: 1, errorClass: 'permanent' as const } } : {}),
    promote: { flow: ctx.flow, key: ctx.key },
  });
}
