/**
 * What a canonical contract is: a named, semver-versioned JSON Schema 2020-12 document owned by one
 * business domain. The TypeBox builder is the single source: the schema is what the registry stores
 * and validates with, and `Static<typeof schema>` is the TypeScript type code is written against.
 */
import type { TSchema } from '@sinclair/typebox';

/** The business domains that own contracts; only a subject's owner may approve changes to it. */
export type Domain = 'customer' | 'product' | 'commercial' | 'finance';

/** Every domain, in a fixed order (for validation and help texts). */
export const DOMAINS: readonly Domain[] = ['customer', 'product', 'commercial', 'finance'];

/** Whether the contract describes a business object or the data of a canonical event. */
export type ContractKind = 'object' | 'event';

/** One versioned canonical contract. */
export interface CanonicalContract<S extends TSchema = TSchema> {
  /** Registry subject, e.g. `order` or `interlock.order.booked.v1`. */
  readonly subject: string;
  /** Semantic version of this contract, e.g. `1.0.0`. */
  readonly version: string;
  /** The domain whose role approves changes. */
  readonly owner: Domain;
  /** Object or event-data contract. */
  readonly kind: ContractKind;
  /** The JSON Schema 2020-12 document (a TypeBox schema, so it is also a TypeScript type). */
  readonly schema: S;
}

/** The base of every schema `$id`; the subject and version follow it. */
export const SCHEMA_BASE_URI = 'https://interlock.dev/schemas';

/** The `$id` for a subject at a version: `https://interlock.dev/schemas/order/1.0.0`. */
export function schemaId(subject: string, version: string): string {
  return `${SCHEMA_BASE_URI}/${subject}/${version}`;
}
