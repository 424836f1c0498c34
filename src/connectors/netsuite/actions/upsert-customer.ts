/**
 * Creates or updates a customer by external id (`PUT /record/v1/customer/eid:<id>`): the external
 * id (the CRM account id) is the idempotency key, so a retry after a lost answer updates the
 * customer the first attempt created instead of making a second one.
 */
import type { NetSuiteClient } from '../client.ts';
import { idFromLocation } from '../client.ts';
import type { NetSuiteRef } from './records.ts';
import { recordPath } from './records.ts';

/** The customer's fields (NetSuite REST names); custom fields as `custentity…`. */
export interface CustomerFields {
  companyName?: string;
  isPerson?: boolean;
  firstName?: string;
  lastName?: string;
  email?: string;
  phone?: string;
  /** Legal entity; required when the customer is created. */
  subsidiary?: NetSuiteRef;
  currency?: NetSuiteRef;
  entityId?: string;
  comments?: string;
  defaultAddress?: string;
  isInactive?: boolean;
  [custom: `custentity${string}`]: unknown;
}

/** Upserts the customer whose external id is `externalId`; answers its internal id. */
export async function upsertCustomer(client: NetSuiteClient, input: { externalId: string; fields: CustomerFields }): Promise<{ id: string }> {
  const res = await client.rest({ method: 'PUT', path: recordPath('customer', { externalId: input.externalId }), json: input.fields });
  return { id: idFromLocation(res) };
}
