/**
 * Building blocks shared by every canonical object: money as a decimal string, cross-system
 * references, addresses, tax identifiers, and the fields every object carries (id, refs, version,
 * extra). Shared pieces carry no `$id`, so they can be embedded in many contracts.
 */
import { Type } from '@sinclair/typebox';
import type { Static, TProperties, TObject, TSchema } from '@sinclair/typebox';
import { schemaId } from './contract.ts';

/** A decimal number written as a string (`"1234.50"`, `"-3"`): never a float, so no rounding. */
export const Decimal = Type.String({
  pattern: '^-?(0|[1-9][0-9]*)(\\.[0-9]+)?$',
  description: 'Decimal number as a string, e.g. "1234.50"',
});

/** An ISO 4217 alphabetic currency code. */
export const CurrencyCode = Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 currency code' });

/** An ISO 3166-1 alpha-2 country code. */
export const CountryCode = Type.String({ pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2 country code' });

/** An amount of money: a decimal string plus its currency. */
export const Money = Type.Object(
  { amount: Decimal, currency: CurrencyCode },
  { additionalProperties: false, description: 'Money: decimal amount and ISO 4217 currency' },
);
/** An amount of money. */
export type Money = Static<typeof Money>;

/** Where a canonical object lives in one vendor system. */
export const ExternalRef = Type.Object(
  {
    system: Type.String({ minLength: 1, description: 'System name, e.g. salesforce, netsuite, stripe' }),
    objectType: Type.String({ minLength: 1, description: 'Vendor object type, e.g. Opportunity, salesOrder' }),
    externalId: Type.String({ minLength: 1, description: 'The id of the object in that system' }),
  },
  { additionalProperties: false },
);
/** Where a canonical object lives in one vendor system. */
export type ExternalRef = Static<typeof ExternalRef>;

/** A postal address. */
export const Address = Type.Object(
  {
    line1: Type.Optional(Type.String()),
    line2: Type.Optional(Type.String()),
    city: Type.Optional(Type.String()),
    region: Type.Optional(Type.String({ description: 'State, province or county' })),
    postalCode: Type.Optional(Type.String()),
    country: Type.Optional(CountryCode),
  },
  { additionalProperties: false },
);
/** A postal address. */
export type Address = Static<typeof Address>;

/** A tax registration number with its scheme. */
export const TaxId = Type.Object(
  {
    scheme: Type.String({ minLength: 1, description: 'e.g. eu_vat, us_ein, gb_vat' }),
    value: Type.String({ minLength: 1 }),
    country: Type.Optional(CountryCode),
  },
  { additionalProperties: false },
);
/** A tax registration number with its scheme. */
export type TaxId = Static<typeof TaxId>;

/** Tax attributes used by tax engines (exemption, nexus, entity use). */
export const TaxAttributes = Type.Object(
  {
    exempt: Type.Optional(Type.Boolean()),
    exemptionCertificate: Type.Optional(Type.String()),
    entityUseCode: Type.Optional(Type.String()),
    taxCode: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

/** Payment terms, e.g. `NET30`. */
export const PaymentTerms = Type.Object(
  {
    code: Type.String({ minLength: 1, description: 'e.g. NET30, DUE_ON_RECEIPT' }),
    netDays: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: false },
);

/** A calendar date `YYYY-MM-DD`. */
export const DateOnly = Type.String({ format: 'date' });
/** An instant, RFC 3339. */
export const Timestamp = Type.String({ format: 'date-time' });

/** Fields every canonical object carries. */
export const baseFields = {
  id: Type.String({ minLength: 1, description: 'Canonical id, stable across systems' }),
  refs: Type.Array(ExternalRef, { description: 'Where this object lives in each vendor system' }),
  version: Type.Integer({ minimum: 0, description: 'Monotonic version or source sequence; an older one is stale' }),
  updatedAt: Type.Optional(Timestamp),
  extra: Type.Optional(
    Type.Record(Type.String(), Type.Unknown(), { description: 'Vendor fields that no mapping consumed' }),
  ),
};

/**
 * Declares a canonical object schema: the base fields plus `props`, closed to unknown properties,
 * with its registry `$id`.
 */
export function canonicalObject<P extends TProperties>(
  subject: string,
  version: string,
  description: string,
  props: P,
): TObject<typeof baseFields & P> {
  return Type.Object(
    { ...baseFields, ...props },
    { $id: schemaId(subject, version), title: subject, description, additionalProperties: false },
  );
}

/** A copy of a schema without its `$id`, to embed a whole contract inside another (event data). */
export function embedded<S extends TSchema>(schema: S): S {
  const copy = { ...schema };
  delete copy.$id;
  return copy;
}
