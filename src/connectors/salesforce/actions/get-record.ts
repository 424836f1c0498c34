/**
 * Reads chosen fields of one record by id (a flow looking up an opportunity's account, say)
 * without the query and child records `get-opportunity.ts` fetches.
 */
import { InterlockError } from '../../../core/errors.ts';
import type { SalesforceClient } from '../client.ts';
import { recordId } from './soql.ts';

const NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

/** The record's `fields`; `not-found` when there is no such record. */
export async function getRecord<T extends Record<string, unknown>>(client: SalesforceClient, input: { sobject: string; id: string; fields: readonly string[] }): Promise<T> {
  for (const name of [input.sobject, ...input.fields]) {
    if (!NAME.test(name)) throw new InterlockError('validation', `${JSON.stringify(name)} is not a Salesforce API name`);
  }
  const res = await client.rest<T & { attributes?: unknown }>({
    method: 'GET',
    path: `sobjects/${input.sobject}/${recordId(input.id, `${input.sobject} id`)}`,
    query: { fields: input.fields.join(',') },
  });
  const { attributes: _attributes, ...values } = res.body;
  return values as unknown as T;
}
