/**
 * A record transform (`POST /record/v1/<from>/<id>/!transform/<to>`) made idempotent by an
 * external id on the new record: it is looked up first, and if the transform fails — a lost
 * answer retried, or a racing attempt that NetSuite refused for the duplicate external id — it
 * is looked up again, so one caller's key yields one record.
 */
import { InterlockError } from '../../../core/errors.ts';
import type { NetSuiteClient } from '../client.ts';
import { idFromLocation } from '../client.ts';
import { recordPath } from './records.ts';

/** One transform. */
export interface TransformInput {
  fromType: string;
  /** Internal id of the source record. */
  fromId: string;
  toType: string;
  /** External id of the record to make: the caller's idempotency key. */
  externalId: string;
  /** Values overriding what NetSuite copies from the source. */
  body?: Readonly<Record<string, unknown>>;
}

/** Makes the record unless one with the external id exists; answers its internal id. */
export async function transformOnce(client: NetSuiteClient, input: TransformInput): Promise<{ id: string; created: boolean }> {
  const found = await findId(client, input.toType, input.externalId);
  if (found !== undefined) return { id: found, created: false };
  try {
    const res = await client.rest({
      method: 'POST',
      path: `${recordPath(input.fromType, { id: input.fromId })}/!transform/${input.toType}`,
      json: { ...input.body, externalId: input.externalId },
    });
    return { id: idFromLocation(res), created: true };
  } catch (err) {
    const again = await findId(client, input.toType, input.externalId).catch(() => undefined);
    if (again !== undefined) return { id: again, created: false };
    throw err;
  }
}

async function findId(client: NetSuiteClient, type: string, externalId: string): Promise<string | undefined> {
  try {
    const res = await client.rest<{ id: string }>({ method: 'GET', path: recordPath(type, { externalId }), query: { fields: 'id' } });
    return res.body.id;
  } catch (err) {
    if (err instanceof InterlockError && err.code === 'not-found') return undefined;
    throw err;
  }
}
