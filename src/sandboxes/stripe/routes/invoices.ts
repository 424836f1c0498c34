/**
 * `/v1/invoices`: retrieve, list (by customer, subscription, status), and the transitions
 * finalize (draft → open), pay (open → paid, or 402 `card_declined`) and void (open → void).
 * Invoices are made by subscriptions; creating one-off invoices is not simulated.
 */
import type { FastifyInstance } from 'fastify';
import { answer, load, type IdParams, type StripeApi } from '../api.ts';
import { requestInfo } from '../events.ts';
import { paginate } from '../list.ts';
import { optString, paramsOf } from '../params.ts';
import { declineError } from '../payments.ts';
import { StripeApiError } from '../stripe-error.ts';

/** Registers the invoice routes. */
export function registerInvoiceRoutes(scope: FastifyInstance, api: StripeApi): void {
  const { state, events, billing } = api;

  scope.get<{ Params: IdParams }>('/v1/invoices/:id', async (request) =>
    answer(api, request, load(state.invoices, request.params.id, 'invoice')),
  );

  scope.get('/v1/invoices', async (request) => {
    const params = paramsOf(request);
    const customer = optString(params, 'customer');
    const subscription = optString(params, 'subscription');
    const status = optString(params, 'status');
    const all = state.invoices
      .list()
      .filter(
        (i) =>
          (customer === undefined || i.customer === customer) &&
          (subscription === undefined || i.subscription === subscription) &&
          (status === undefined || i.status === status),
      );
    return answer(api, request, paginate(all, params, '/v1/invoices', 'invoice'));
  });

  scope.post<{ Params: IdParams }>('/v1/invoices/:id/finalize', async (request, reply) => {
    const invoice = load(state.invoices, request.params.id, 'invoice');
    if (invoice.status !== 'draft') {
      throw new StripeApiError(400, 'invalid_request_error', "This invoice is already finalized, you can't re-finalize a non-draft invoice.", {
        code: 'invoice_not_editable',
      });
    }
    billing.finalize(invoice, { request: requestInfo(request, reply), created: state.nowFor(invoice.customer) });
    return answer(api, request, invoice);
  });

  scope.post<{ Params: IdParams }>('/v1/invoices/:id/pay', async (request, reply) => {
    const invoice = load(state.invoices, request.params.id, 'invoice');
    if (invoice.status === 'paid') {
      throw new StripeApiError(400, 'invalid_request_error', 'Invoice is already paid', { code: 'invoice_already_paid' });
    }
    if (invoice.status !== 'open') {
      throw new StripeApiError(400, 'invalid_request_error', `You can only pay an open invoice. This invoice is ${invoice.status}.`, {
        code: 'invoice_not_open',
      });
    }
    const paid = billing.pay(invoice, { request: requestInfo(request, reply), created: state.nowFor(invoice.customer) });
    if (!paid) {
      const intent = invoice.payment_intent === null ? null : (state.paymentIntents.get(invoice.payment_intent) ?? null);
      const { message, ...rest } = declineError(intent?.payment_method ?? null);
      throw new StripeApiError(402, 'card_error', String(message), { extra: { ...rest, payment_intent: intent } });
    }
    return answer(api, request, invoice);
  });

  scope.post<{ Params: IdParams }>('/v1/invoices/:id/void', async (request, reply) => {
    const invoice = load(state.invoices, request.params.id, 'invoice');
    if (invoice.status !== 'open' && invoice.status !== 'uncollectible') {
      throw new StripeApiError(400, 'invalid_request_error', `You can only void an open invoice. This invoice is ${invoice.status}.`, {
        code: 'invoice_not_open',
      });
    }
    invoice.status = 'void';
    invoice.status_transitions.voided_at = state.nowFor(invoice.customer);
    state.invoices.put(invoice.id, invoice);
    events.emit('invoice.voided', invoice, { request: requestInfo(request, reply) });
    return answer(api, request, invoice);
  });
}
