/**
 * Creates or updates an account by an alternate key (e.g. `accountnumber`) with one PATCH — the
 * key is the idempotency key, so a retry after a lost answer updates the row the first attempt
 * created. `mode` maps to Dataverse's conditional headers: `create-only` (`If-None-Match: *`, an
 * existing row → conflict) and `update-only` (`If-Match: *`, a missing row → not-found).
 */
import { InterlockError } from '../../../core/errors.ts';
import type { DynamicsClient } from '../client.ts';
import { alternateKey } from './odata.ts';

/** One upsert. */
export interface UpsertAccountInput {
  /** Alternate-key columns and values, e.g. `{ accountnumber: 'CUST-1001' }`. */
  key: Readonly<Record<string, string>>;
  /** Columns to write; lookups as `nav@odata.bind`. */
  fields: Readonly<Record<string, unknown>>;
  /** @default 'upsert' */
  mode?: 'upsert' | 'create-only' | 'update-only';
}

/** Which row it was, and whether this call created it. */
export interface UpsertAccountResult {
  id: string;
  created: boolean;
}

/** Upserts one account. */
export async function upsertAccount(client: DynamicsClient, input: UpsertAccountInput): Promise<UpsertAccountResult> {
  const headers: Record<string, string> = { prefer: 'return=representation' };
  if (input.mode === 'create-only') headers['if-none-match'] = '*';
  if (input.mode === 'update-only') headers['if-match'] = '*';
  const res = await client.api<{ accountid?: unknown }>({
    method: 'PATCH',
    path: `accounts(${alternateKey(input.key)})`,
    query: { $select: 'accountid' },
    json: input.fields,
    headers,
  });
  const id = res.body.accountid;
  if (typeof id !== 'string') throw new InterlockError('unexpected', `Dynamics 365 upsert of account answered ${res.status} without an accountid`, { details: { vendor: 'dynamics' } });
  // With return=representation Dataverse answers 201 for a row it created and 200 for an update.
  return { id, created: res.status === 201 };
}
