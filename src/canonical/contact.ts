/** Contact: a person at a customer account. Owned by the customer domain. */
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import type { CanonicalContract } from './contract.ts';
import { Address, canonicalObject } from './common.ts';

/** Contract version of {@link ContactSchema}. */
export const CONTACT_VERSION = '1.0.0';

/** JSON Schema of the canonical Contact. */
export const ContactSchema = canonicalObject('contact', CONTACT_VERSION, 'A person at a customer', {
  customerId: Type.String({ minLength: 1 }),
  firstName: Type.Optional(Type.String()),
  lastName: Type.String({ minLength: 1 }),
  email: Type.Optional(Type.String({ format: 'email' })),
  phone: Type.Optional(Type.String()),
  title: Type.Optional(Type.String()),
  mailingAddress: Type.Optional(Address),
});

/** The canonical Contact. */
export type Contact = Static<typeof ContactSchema>;

/** The Contact contract as the registry stores it. */
export const ContactContract: CanonicalContract<typeof ContactSchema> = {
  subject: 'contact',
  version: CONTACT_VERSION,
  owner: 'customer',
  kind: 'object',
  schema: ContactSchema,
};
