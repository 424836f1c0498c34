/**
 * Creates or updates a record by an external id field: the external id is the idempotency key, so
 * a retried upsert after a lost answer updates the record the first attempt created.
 */
import { InterlockError } from '../../../core/errors.ts';
import type { SalesforceClient } from '../client.ts';

/** One upsert. */
export interface UpsertInput {
  /** sObject type, e.g. `Account`. */
  sobject: string;
  /** External id field, e.g. `External_Id__c`. */
  externalIdField: string;
  /** Its value for this record: the caller's idempotency key. */
  externalId: string;
  fields: Readonly<Record<string, unknown>>;
  /** Update only: an unmatched id fails with not-found instead of creating (v61+). */
  updateOnly?: boolean;
}

/** Which record it was, and whether this call created it. */
export interface UpsertResult {
  id: string;
  created: boolean;
}

const NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

/** Upserts one record; several records matching the external id → `conflict`. */
export async function upsertRecord(client: SalesforceClient, input: UpsertInput): Promise<UpsertResult> {
  for (const name of [input.sobject, input.externalIdField]) {
    if (!NAME.test(name)) throw new InterlockError('validation', `${JSON.stringify(name)} is not a Salesforce API name`);
  }
  if (input.externalId === '') throw new InterlockError('validation', 'externalId must not be empty');
  const res = await client.rest<{ id?: string; created?: boolean } | string[] | string>({
    method: 'PATCH',
    path: `sobjects/${input.sobject}/${input.externalIdField}/${encodeURIComponent(input.externalId)}`,
    json: input.fields,
    ...(input.updateOnly === true ? { query: { updateOnly: true } } : {}),
  });
  if (res.status === 300) {
    throw new InterlockError('conflict', `Salesforce: ${input.sobject}.${input.externalIdField} = ${input.externalId} matches several records`, {
      details: { vendor: 'salesforce', matches: res.body },
    });
  }
  const body = res.body as { id?: string; created?: boolean };
  if (typeof body.id !== 'string') throw new InterlockError('unexpected', `Salesforce upsert of ${input.sobject} answered ${res.status} without an id`);
  return { id: body.id, created: body.created ?? res.status === 201 };
}
