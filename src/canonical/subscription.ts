/** Subscription: recurring items over a term, with renewal and amendments. Commercial domain. */
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import type { CanonicalContract } from './contract.ts';
import { canonicalObject, CurrencyCode, DateOnly, Decimal, Money, Timestamp } from './common.ts';

/** Contract version of {@link SubscriptionSchema}. */
export const SUBSCRIPTION_VERSION = '1.0.0';

/** JSON Schema of the canonical Subscription. */
export const SubscriptionSchema = canonicalObject('subscription', SUBSCRIPTION_VERSION, 'Recurring items over a term', {
  customerId: Type.String({ minLength: 1 }),
  orderId: Type.Optional(Type.String()),
  status: Type.Union([
    Type.Literal('pending'),
    Type.Literal('trialing'),
    Type.Literal('active'),
    Type.Literal('past_due'),
    Type.Literal('paused'),
    Type.Literal('cancelled'),
    Type.Literal('expired'),
  ]),
  currency: CurrencyCode,
  items: Type.Array(
    Type.Object(
      {
        productId: Type.Optional(Type.String()),
        priceId: Type.Optional(Type.String()),
        quantity: Decimal,
        unitPrice: Type.Optional(Money),
        externalId: Type.Optional(Type.String()),
      },
      { additionalProperties: false },
    ),
  ),
  billingPeriod: Type.Optional(Type.Union([Type.Literal('day'), Type.Literal('week'), Type.Literal('month'), Type.Literal('year')])),
  termStart: Type.Optional(DateOnly),
  termEnd: Type.Optional(DateOnly),
  autoRenew: Type.Optional(Type.Boolean()),
  cancelAtPeriodEnd: Type.Optional(Type.Boolean()),
  cancelledAt: Type.Optional(Timestamp),
  amendments: Type.Optional(
    Type.Array(
      Type.Object(
        {
          effectiveDate: DateOnly,
          kind: Type.Union([Type.Literal('upsell'), Type.Literal('downsell'), Type.Literal('renewal'), Type.Literal('cancellation')]),
          description: Type.Optional(Type.String()),
        },
        { additionalProperties: false },
      ),
    ),
  ),
});

/** The canonical Subscription. */
export type Subscription = Static<typeof SubscriptionSchema>;

/** The Subscription contract as the registry stores it. */
export const SubscriptionContract: CanonicalContract<typeof SubscriptionSchema> = {
  subject: 'subscription',
  version: SUBSCRIPTION_VERSION,
  owner: 'commercial',
  kind: 'object',
  schema: SubscriptionSchema,
};
