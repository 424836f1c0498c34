/**
 * What every synchronous operation is given besides the connector clients: the clock its budget
 * runs on and the last-known copies it keeps and falls back to.
 */
import type { Clock } from '../../core/clock.ts';
import type { LastKnown } from './last-known.ts';

/** The shared context of the synchronous operations. */
export interface SyncContext {
  clock: Clock;
  lastKnown: LastKnown;
}
