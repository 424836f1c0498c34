/**
 * `/v1/payment_intents`: create (optionally `confirm=true`), retrieve, update, confirm, cancel and
 * list. A declined confirmation answers 402 `card_error` / `card_declined` with the intent in the
 * error, as Stripe does; see `payments.ts` for how the outcome is chosen.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { answer, load, type IdParams, type StripeApi } from '../api.ts';
import { requestInfo } from '../events.ts';
import { paginate } from '../list.ts';
import type { PaymentIntent } from '../objects.ts';
import { mergeMetadata, optBool, optInt, optString, paramsOf, reqString } from '../params.ts';
import { buildPaymentIntent, confirmPaymentIntent } from '../payments.ts';
import { StripeApiError, invalidParam, missingParam, resourceMissing } from '../stripe-error.ts';

/** Registers the payment intent routes. */
export function registerPaymentIntentRoutes(scope: FastifyInstance, api: StripeApi): void {
  const { state, events } = api;

  const confirm = (intent: PaymentIntent, request: FastifyRequest, reply: FastifyReply): PaymentIntent => {
    if (intent.status === 'succeeded' || intent.status === 'canceled') {
      throw new StripeApiError(
        400,
        'invalid_request_error',
        `You cannot confirm this PaymentIntent because it has a status of ${intent.status}.`,
        { code: 'payment_intent_unexpected_state', extra: { payment_intent: intent } },
      );
    }
    const ok = confirmPaymentIntent(state, events, intent, { request: requestInfo(request, reply) });
    if (!ok) {
      const { message, ...rest } = intent.last_payment_error ?? {};
      throw new StripeApiError(402, 'card_error', String(message), { extra: { ...rest, payment_intent: intent } });
    }
    return intent;
  };

  scope.post('/v1/payment_intents', async (request, reply) => {
    const params = paramsOf(request);
    const amount = optInt(params, 'amount', 1);
    if (amount === undefined) throw missingParam('amount');
    const customer = optString(params, 'customer') ?? null;
    if (customer !== null && state.customers.get(customer) === undefined) throw resourceMissing('customer', customer, 'customer');
    const intent = buildPaymentIntent({
      amount,
      currency: reqString(params, 'currency').toLowerCase(),
      customer,
      paymentMethod: optString(params, 'payment_method') ?? null,
      description: optString(params, 'description') ?? null,
      invoice: null,
      metadata: mergeMetadata(params),
      created: state.nowFor(customer),
    });
    state.paymentIntents.put(intent.id, intent);
    events.emit('payment_intent.created', intent, { request: requestInfo(request, reply) });
    return answer(api, request, optBool(params, 'confirm') === true ? confirm(intent, request, reply) : intent);
  });

  scope.get<{ Params: IdParams }>('/v1/payment_intents/:id', async (request) =>
    answer(api, request, load(state.paymentIntents, request.params.id, 'payment_intent')),
  );

  scope.post<{ Params: IdParams }>('/v1/payment_intents/:id', async (request) => {
    const intent = load(state.paymentIntents, request.params.id, 'payment_intent');
    const params = paramsOf(request);
    intent.metadata = mergeMetadata(params, intent.metadata as Record<string, string>);
    intent.description = optString(params, 'description') ?? intent.description;
    const pm = optString(params, 'payment_method');
    if (pm !== undefined) {
      intent.payment_method = pm;
      if (intent.status === 'requires_payment_method') intent.status = 'requires_confirmation';
    }
    const amount = optInt(params, 'amount', 1);
    if (amount !== undefined) {
      if (intent.status === 'succeeded') throw invalidParam('amount', 'This PaymentIntent has already succeeded.', 'payment_intent_unexpected_state');
      intent.amount = amount;
    }
    state.paymentIntents.put(intent.id, intent);
    return answer(api, request, intent);
  });

  scope.post<{ Params: IdParams }>('/v1/payment_intents/:id/confirm', async (request, reply) => {
    const intent = load(state.paymentIntents, request.params.id, 'payment_intent');
    const pm = optString(paramsOf(request), 'payment_method');
    if (pm !== undefined) intent.payment_method = pm;
    return answer(api, request, confirm(intent, request, reply));
  });

  scope.post<{ Params: IdParams }>('/v1/payment_intents/:id/cancel', async (request, reply) => {
    const intent = load(state.paymentIntents, request.params.id, 'payment_intent');
    if (intent.status === 'succeeded' || intent.status === 'canceled') {
      throw new StripeApiError(
        400,
        'invalid_request_error',
        `You cannot cancel this PaymentIntent because it has a status of ${intent.status}.`,
        { code: 'payment_intent_unexpected_state' },
      );
    }
    Object.assign(intent, {
      status: 'canceled',
      canceled_at: state.nowFor(intent.customer),
      cancellation_reason: optString(paramsOf(request), 'cancellation_reason') ?? null,
    });
    state.paymentIntents.put(intent.id, intent);
    events.emit('payment_intent.canceled', intent, { request: requestInfo(request, reply) });
    return answer(api, request, intent);
  });

  scope.get('/v1/payment_intents', async (request) => {
    const params = paramsOf(request);
    const customer = optString(params, 'customer');
    const all = state.paymentIntents.list().filter((p) => customer === undefined || p.customer === customer);
    return answer(api, request, paginate(all, params, '/v1/payment_intents', 'payment_intent'));
  });
}
