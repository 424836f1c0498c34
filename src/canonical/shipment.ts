/** Shipment: goods dispatched against an order. Commercial domain. */
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import type { CanonicalContract } from './contract.ts';
import { Address, canonicalObject, Decimal, Timestamp } from './common.ts';

/** Contract version of {@link ShipmentSchema}. */
export const SHIPMENT_VERSION = '1.0.0';

/** JSON Schema of the canonical Shipment. */
export const ShipmentSchema = canonicalObject('shipment', SHIPMENT_VERSION, 'Goods dispatched against an order', {
  orderId: Type.String({ minLength: 1 }),
  status: Type.Union([Type.Literal('planned'), Type.Literal('shipped'), Type.Literal('delivered'), Type.Literal('returned')]),
  carrier: Type.Optional(Type.String()),
  trackingNumber: Type.Optional(Type.String()),
  shippedAt: Type.Optional(Timestamp),
  deliveredAt: Type.Optional(Timestamp),
  shipTo: Type.Optional(Address),
  lines: Type.Array(
    Type.Object(
      { orderLineNumber: Type.Integer({ minimum: 1 }), sku: Type.Optional(Type.String()), quantity: Decimal },
      { additionalProperties: false },
    ),
  ),
});

/** The canonical Shipment. */
export type Shipment = Static<typeof ShipmentSchema>;

/** The Shipment contract as the registry stores it. */
export const ShipmentContract: CanonicalContract<typeof ShipmentSchema> = {
  subject: 'shipment',
  version: SHIPMENT_VERSION,
  owner: 'commercial',
  kind: 'object',
  schema: ShipmentSchema,
};
