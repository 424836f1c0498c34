/**
 * Canonical events: CloudEvents 1.0 envelopes whose `type` names the business fact and its major
 * version (`interlock.order.booked.v1`) and whose `subject` is the business key. Each event type's
 * `data` is a contract in the same registry as the objects, so the same compatibility rules apply.
 */
import { randomUUID } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import type { Static, TSchema } from '@sinclair/typebox';
import { validationError } from '../core/errors.ts';
import type { CanonicalContract, Domain } from './contract.ts';
import { schemaId } from './contract.ts';
import { embedded, Timestamp } from './common.ts';
import { CustomerSchema } from './customer.ts';
import { InvoiceSchema } from './invoice.ts';
import { OrderSchema } from './order.ts';
import { PaymentSchema } from './payment.ts';
import { ShipmentSchema } from './shipment.ts';
import { SubscriptionSchema } from './subscription.ts';

/** JSON Schema of the CloudEvents 1.0 envelope (structured JSON mode) with Interlock's required attributes. */
export const CloudEventEnvelope = Type.Object(
  {
    specversion: Type.Literal('1.0'),
    id: Type.String({ minLength: 1 }),
    source: Type.String({ minLength: 1, format: 'uri-reference' }),
    type: Type.String({ pattern: '^interlock\\.[a-z-]+\\.[a-z_]+\\.v[0-9]+$' }),
    subject: Type.String({ minLength: 1, description: 'The business key, e.g. the canonical order id' }),
    time: Timestamp,
    datacontenttype: Type.Optional(Type.Literal('application/json')),
    dataschema: Type.Optional(Type.String({ format: 'uri' })),
    data: Type.Unknown(),
  },
  { $id: 'https://interlock.dev/schemas/cloudevent/1.0', title: 'CloudEvent', additionalProperties: true },
);

/** A canonical event envelope. */
export type CloudEvent<D = unknown> = Omit<Static<typeof CloudEventEnvelope>, 'data'> & { data: D };

/** Version of every event-data contract below. */
export const EVENT_DATA_VERSION = '1.0.0';

function eventContract(type: string, owner: Domain, description: string, data: Record<string, TSchema>): CanonicalContract {
  return {
    subject: type,
    version: EVENT_DATA_VERSION,
    owner,
    kind: 'event',
    schema: Type.Object(data, {
      $id: schemaId(type, EVENT_DATA_VERSION),
      title: type,
      description,
      additionalProperties: false,
    }),
  };
}

/** The data contracts of every canonical event type. */
export const EVENT_CONTRACTS: readonly CanonicalContract[] = [
  eventContract('interlock.customer.upserted.v1', 'customer', 'A customer was created or changed', {
    customer: embedded(CustomerSchema),
  }),
  eventContract('interlock.order.booked.v1', 'commercial', 'An order was booked in the ERP', {
    order: embedded(OrderSchema),
  }),
  eventContract('interlock.subscription.renewed.v1', 'commercial', 'A subscription entered a new term', {
    subscription: embedded(SubscriptionSchema),
  }),
  eventContract('interlock.invoice.paid.v1', 'finance', 'An invoice was paid in full', {
    invoice: embedded(InvoiceSchema),
  }),
  eventContract('interlock.invoice.payment_failed.v1', 'finance', 'Collecting an invoice failed', {
    invoice: embedded(InvoiceSchema),
    reason: Type.Optional(Type.String()),
  }),
  eventContract('interlock.payment.received.v1', 'finance', 'A payment was received', {
    payment: embedded(PaymentSchema),
  }),
  eventContract('interlock.shipment.dispatched.v1', 'commercial', 'Goods left the warehouse', {
    shipment: embedded(ShipmentSchema),
  }),
  eventContract('interlock.shipment.planned.v1', 'commercial', 'A delivery was created for an order: goods are being picked', {
    shipment: embedded(ShipmentSchema),
  }),
  eventContract('interlock.invoice.posted.v1', 'finance', 'An invoice was posted in the ERP (a billing document)', {
    invoice: embedded(InvoiceSchema),
  }),
  eventContract('interlock.invoice.cancelled.v1', 'finance', 'A posted invoice was cancelled in the ERP', {
    invoice: embedded(InvoiceSchema),
  }),
];

/** Options of {@link cloudEvent}. */
export interface CloudEventOptions {
  /** Event id; defaults to a random UUID. Pass a deterministic one to make re-publication idempotent. */
  id?: string;
  /** Event time; defaults to now. */
  time?: Date;
}

/**
 * Wraps canonical event data in a CloudEvents 1.0 envelope: `type` is the event type (which is also
 * the data contract's subject), `subject` the business key, `dataschema` the data contract's `$id`.
 */
export function cloudEvent<D>(type: string, subject: string, data: D, source: string, options: CloudEventOptions = {}): CloudEvent<D> {
  const contract = EVENT_CONTRACTS.find((c) => c.subject === type);
  if (contract === undefined) throw validationError(`unknown canonical event type "${type}"`);
  return {
    specversion: '1.0',
    id: options.id ?? randomUUID(),
    source,
    type,
    subject,
    time: (options.time ?? new Date()).toISOString(),
    datacontenttype: 'application/json',
    dataschema: schemaId(type, contract.version),
    data,
  };
}
