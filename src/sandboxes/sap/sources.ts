/**
 * Where a set's records come from: the store, or — for the credit views — computed from the
 * documents at read time.
 */
import { creditRecords } from './computed.ts';
import type { EntitySetDef } from './schema.ts';
import type { SapRecord, SapStore } from './store.ts';

/** Sets computed at read time. */
export const computedSetNames: ReadonlySet<string> = new Set(['A_CrdtMgmtCreditExposure', 'A_CrdtMgmtCreditLimit']);

/** The records of a set. */
export function readSet(store: SapStore, def: EntitySetDef): SapRecord[] {
  if (def.name === 'A_CrdtMgmtCreditExposure' || def.name === 'A_CrdtMgmtCreditLimit') return creditRecords(store, def.name);
  return store.list(def);
}
