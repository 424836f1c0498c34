/**
 * Creates the Stripe customer for a canonical customer, tagged in metadata with the canonical id
 * and the Salesforce account id so it can be found again (`find-customer.ts`) and traced back.
 */
import type { StripeClient } from '../client.ts';
import type { StripeCustomer, StripeMetadata } from '../types.ts';

/** Metadata key holding the canonical customer id (the mappings use the same key). */
export const CANONICAL_ID_KEY = 'interlock_id';
/** Metadata key holding the Salesforce Account Id. */
export const SALESFORCE_ACCOUNT_KEY = 'salesforce_account_id';

/** Input of {@link createCustomer}. */
export interface CreateCustomerInput {
  canonicalCustomerId: string;
  salesforceAccountId: string;
  name: string;
  email?: string;
  /** More metadata; the two ids above win over keys of the same name. */
  metadata?: StripeMetadata;
  /** The caller's key for this effect; a retry with it returns the first customer. */
  idempotencyKey: string;
}

/** Creates the customer; a retry with the same idempotency key gets the same customer back. */
export async function createCustomer(client: StripeClient, input: CreateCustomerInput): Promise<StripeCustomer> {
  return client.post<StripeCustomer>(
    'customers',
    {
      name: input.name,
      email: input.email,
      metadata: { ...input.metadata, [CANONICAL_ID_KEY]: input.canonicalCustomerId, [SALESFORCE_ACCOUNT_KEY]: input.salesforceAccountId },
    },
    input.idempotencyKey,
  );
}
