/**
 * `/v1/test_helpers/test_clocks`: create, retrieve, list, delete and advance. Customers created
 * with `test_clock` live on the clock's time; advancing it renews their subscriptions at each
 * period end (customer.subscription.updated, then invoice.created, invoice.finalized and
 * invoice.paid or invoice.payment_failed) or cancels those set to cancel at period end.
 * The advance answers `status: "advancing"` as Stripe does; the work is done by the time the
 * clock is read again (then `ready`).
 */
import type { FastifyInstance } from 'fastify';
import { load, type IdParams, type StripeApi } from '../api.ts';
import { newId } from '../ids.ts';
import { paginate } from '../list.ts';
import type { TestClock } from '../objects.ts';
import { optInt, optString, paramsOf } from '../params.ts';
import { invalidParam, missingParam } from '../stripe-error.ts';

const BASE = '/v1/test_helpers/test_clocks';

/** Registers the test clock routes. */
export function registerTestClockRoutes(scope: FastifyInstance, api: StripeApi): void {
  const { state, billing } = api;

  scope.post(BASE, async (request) => {
    const params = paramsOf(request);
    const frozen = optInt(params, 'frozen_time');
    if (frozen === undefined) throw missingParam('frozen_time');
    const clock: TestClock = {
      id: newId('clock'),
      object: 'test_helpers.test_clock',
      created: Math.floor(Date.now() / 1000),
      deletes_after: Math.floor(Date.now() / 1000) + 30 * 86_400,
      frozen_time: frozen,
      livemode: false,
      name: optString(params, 'name') ?? null,
      status: 'ready',
      status_details: {},
    };
    state.testClocks.put(clock.id, clock);
    return clock;
  });

  scope.get<{ Params: IdParams }>(`${BASE}/:id`, async (request) => load(state.testClocks, request.params.id, 'test_clock'));

  scope.get(BASE, async (request) => paginate(state.testClocks.list(), paramsOf(request), BASE, 'test_clock'));

  scope.delete<{ Params: IdParams }>(`${BASE}/:id`, async (request) => {
    const clock = load(state.testClocks, request.params.id, 'test_clock');
    state.testClocks.delete(clock.id);
    return { id: clock.id, object: 'test_helpers.test_clock', deleted: true };
  });

  scope.post<{ Params: IdParams }>(`${BASE}/:id/advance`, async (request) => {
    const clock = load(state.testClocks, request.params.id, 'test_clock');
    const target = optInt(paramsOf(request), 'frozen_time');
    if (target === undefined) throw missingParam('frozen_time');
    if (target <= clock.frozen_time) {
      throw invalidParam('frozen_time', 'The test clock can only be advanced to a time after its current frozen_time.', 'parameter_invalid_integer');
    }
    const customers = new Set(state.customers.list().filter((c) => c.test_clock === clock.id).map((c) => c.id));
    // Every subscription is walked period end by period end, clock time moving with it.
    for (const subscription of state.subscriptions.list()) {
      if (customers.has(subscription.customer)) billing.advance(subscription, target);
    }
    clock.frozen_time = target;
    state.testClocks.put(clock.id, clock);
    return { ...clock, status: 'advancing' };
  });
}
