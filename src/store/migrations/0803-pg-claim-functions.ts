/**
 * PostgreSQL only: the engine's two hottest transactions — the common claim and the recording of a
 * batch of deliveries — as PL/pgSQL functions. Sent as literal SQL over the simple protocol they
 * were parsed and planned on every exchange (0.25–0.4 ms of the server's CPU for the claim alone);
 * a function's statements are planned once per connection and their plans kept, and pool
 * connections live long. A call is still one round trip, and one statement: it runs in its own
 * implicit transaction, so no BEGIN or COMMIT travels with it.
 *
 * Both keep the semantics of the engine's general paths (src/engine/claims.ts, completions.ts),
 * whose statements they mirror; a change to those statements needs a new migration that replaces
 * these functions. SQLite has no stored functions: its short paths run prepared statements
 * straight on the connection instead, and this migration does nothing there.
 */
import { sql, type Kysely, type Migration } from 'kysely';
import { dialectOf } from './columns.ts';

/**
 * `interlock_claim_heads`: locks the destination's state row; if it is paused, its circuit is not
 * closed or it has no row, returns one row of NULLs and claims nothing (the caller takes the
 * general path). Otherwise counts what is in flight — after the lock, in a statement of its own
 * with a fresh snapshot, so every earlier claim is seen — and claims up to what the concurrency
 * cap and `p_max` leave: due messages in id order that head their business key, with a lease.
 * Its writes need not wait for the disk (a lost claim is claimed again).
 */
const CLAIM_HEADS = `CREATE FUNCTION interlock_claim_heads(
    p_destination text, p_worker text, p_now bigint, p_lease_until bigint, p_concurrency bigint, p_max bigint)
  RETURNS TABLE (id bigint, destination text, key text, idempotency_key text, payload text, headers text, attempts integer, created_at bigint)
  LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
DECLARE
  state record;
  in_flight bigint;
BEGIN
  PERFORM set_config('synchronous_commit', 'off', true);
  SELECT s.paused_until, s.circuit INTO state FROM destination_state s WHERE s.destination = p_destination FOR UPDATE;
  IF NOT FOUND OR state.paused_until > p_now OR state.circuit <> 'closed' THEN
    RETURN QUERY SELECT NULL::bigint, NULL::text, NULL::text, NULL::text, NULL::text, NULL::text, NULL::integer, NULL::bigint;
    RETURN;
  END IF;
  SELECT count(*) INTO in_flight FROM outbox WHERE destination = p_destination AND status = 'delivering';
  IF in_flight >= p_concurrency OR p_max <= 0 THEN
    RETURN;
  END IF;
  -- Walk due messages by the full (destination, status, id) index key, so the index is read
  -- lazily rather than every due message collected and sorted; the head test probes outbox_heads.
  RETURN QUERY UPDATE outbox
       SET status = 'delivering', lease_owner = p_worker, lease_until = p_lease_until, attempts = attempts + 1
     WHERE id IN (
       SELECT o.id FROM outbox o
        WHERE o.destination = p_destination
          AND o.status = 'pending'
          AND o.next_attempt_at <= p_now
          AND o.id = (
            SELECT min(p.id) FROM outbox p
             WHERE p.destination = o.destination AND p.key = o.key
               AND p.status IN ('pending', 'delivering'))
        ORDER BY o.destination, o.status, o.id
        LIMIT least(p_concurrency - in_flight, p_max)
        FOR UPDATE SKIP LOCKED)
    RETURNING id, destination, key, idempotency_key, payload, headers, attempts, created_at;
END $$`;

/**
 * `interlock_mark_delivered`: in one statement, so both see the same snapshot, checks that none of
 * `p_destinations` is unhealthy (circuit not closed, or failures counted) and, only then, marks
 * the messages `p_ids` delivered, fenced by the lease (`p_worker` owns them, still delivering).
 * Answers the health (`unhealthy`) on every row, with the id of each message it marked (NULL in
 * the one row when none was). Its writes need not wait for the disk (a lost outcome is one more
 * attempt with the same idempotency key).
 */
const MARK_DELIVERED = `CREATE FUNCTION interlock_mark_delivered(p_destinations text[], p_ids bigint[], p_worker text, p_now bigint)
  RETURNS TABLE (unhealthy boolean, id bigint)
  LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
BEGIN
  PERFORM set_config('synchronous_commit', 'off', true);
  RETURN QUERY
    WITH h AS (
      SELECT EXISTS (SELECT 1 FROM destination_state
                      WHERE destination = ANY (p_destinations) AND (circuit <> 'closed' OR consecutive_failures > 0)) AS unhealthy),
    u AS (
      UPDATE outbox SET status = 'delivered', delivered_at = p_now, lease_owner = NULL, lease_until = NULL, last_error = NULL
       WHERE id = ANY (p_ids) AND lease_owner = p_worker AND status = 'delivering' AND NOT (SELECT h.unhealthy FROM h)
      RETURNING outbox.id)
    SELECT h.unhealthy, u.id FROM h LEFT JOIN u ON true;
END $$`;

/** Creates the claim and delivered-batch functions on PostgreSQL; nothing on SQLite. */
export const pgClaimFunctionsMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    if (dialectOf(db) !== 'postgres') return;
    await sql.raw(CLAIM_HEADS).execute(db);
    await sql.raw(MARK_DELIVERED).execute(db);
  },
};
