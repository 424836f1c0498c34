/** Product: something sold, one-time or recurring. Owned by the product domain. */
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import type { CanonicalContract } from './contract.ts';
import { canonicalObject } from './common.ts';

/** Contract version of {@link ProductSchema}. */
export const PRODUCT_VERSION = '1.0.0';

/** How a product is charged. */
export const ChargeType = Type.Union([Type.Literal('one_time'), Type.Literal('recurring')]);

/** JSON Schema of the canonical Product. */
export const ProductSchema = canonicalObject('product', PRODUCT_VERSION, 'A product or service', {
  sku: Type.String({ minLength: 1 }),
  name: Type.String({ minLength: 1 }),
  description: Type.Optional(Type.String()),
  family: Type.Optional(Type.String()),
  unit: Type.Optional(Type.String({ description: 'Unit of measure, UN/CEFACT code, e.g. EA, HUR' })),
  taxCode: Type.Optional(Type.String()),
  chargeType: ChargeType,
  active: Type.Boolean(),
});

/** The canonical Product. */
export type Product = Static<typeof ProductSchema>;

/** The Product contract as the registry stores it. */
export const ProductContract: CanonicalContract<typeof ProductSchema> = {
  subject: 'product',
  version: PRODUCT_VERSION,
  owner: 'product',
  kind: 'object',
  schema: ProductSchema,
};
