/**
 * Retention: delivered (and discarded) messages and processed inbox rows are pruned after their
 * configured period. Nothing that is still owed to anyone — pending, in flight or parked — is
 * ever pruned. Processed inbox rows are the duplicate-detection record, so their period is also
 * the window in which a redelivered event is recognised.
 */
import type { Clock } from '../core/clock.ts';
import type { Store } from '../store/store.ts';

/** Retention periods in milliseconds. */
export interface RetentionPolicy {
  deliveredMs: number;
  processedMs: number;
}

const CHUNK = 5000;

/** Prunes what the policy allows; resolves to the rows removed per table. */
export async function prune(store: Store, clock: Clock, policy: RetentionPolicy): Promise<{ outbox: number; inbox: number }> {
  const now = clock.now();
  let outbox = 0;
  let inbox = 0;
  // Delete in chunks so that a large backlog never holds one long write lock.
  for (;;) {
    const r = await store.db
      .deleteFrom('outbox')
      .where('id', 'in', (qb) =>
        qb
          .selectFrom('outbox')
          .select('id')
          .where('status', 'in', ['delivered', 'discarded'])
          .where('delivered_at', '<', now - policy.deliveredMs)
          .limit(CHUNK),
      )
      .executeTakeFirst();
    const n = Number(r.numDeletedRows);
    outbox += n;
    if (n < CHUNK) break;
  }
  for (;;) {
    const r = await store.db
      .deleteFrom('inbox')
      .where('id', 'in', (qb) =>
        qb
          .selectFrom('inbox')
          .select('id')
          .where('status', '=', 'processed')
          .where('processed_at', '<', now - policy.processedMs)
          .limit(CHUNK),
      )
      .executeTakeFirst();
    const n = Number(r.numDeletedRows);
    inbox += n;
    if (n < CHUNK) break;
  }
  return { outbox, inbox };
}
