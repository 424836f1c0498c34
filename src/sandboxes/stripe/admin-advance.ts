/**
 * `POST /__sandbox/advance`: moves billing time forward for one subscription (or every live one)
 * so a demo can renew subscriptions whose customers have no test clock. It does what advancing a
 * test clock does: the customer is put on a clock at its current time (one is made when it has
 * none) and the clock moves to the subscription's period end, once per period asked for — the
 * subscription renews (`customer.subscription.updated` with the old period in
 * `previous_attributes`) and the renewal invoice is created, finalized and paid or declined.
 * From then on the customer lives on the clock's time, so later events never look older.
 *
 * Body (JSON): `subscription` (an id; all live subscriptions off test clocks when absent),
 * `periods` (1–24, default 1), `paymentOutcome` (`fail` declines the renewal payments of this
 * advance only; `succeed` pays them even for a customer set to fail). Answers `{advanced: […]}`.
 * Like the kit's admin endpoints it is never faulted and answers bad input with 400 `{error}`.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import { ADMIN_PREFIX } from '../kit/index.ts';
import type { StripeApi } from './api.ts';
import { newId } from './ids.ts';
import type { Customer, Subscription, TestClock } from './objects.ts';

/** What one advanced subscription looks like afterwards. */
export interface AdvancedSubscription {
  id: string;
  customer: string;
  status: string;
  current_period_start: number;
  current_period_end: number;
  latest_invoice: string | null;
  latest_invoice_status: string | null;
}

class AdminInputError extends Error {
  readonly statusCode = 400;
}

/** Registers `POST /__sandbox/advance` in the Stripe routes' scope. */
export function registerAdvanceAdmin(scope: FastifyInstance, api: StripeApi): void {
  void scope.register(
    async (admin) => {
      admin.setErrorHandler((error: FastifyError, _request, reply) => reply.code(error.statusCode ?? 500).send({ error: error.message }));
      admin.post('/advance', async (request) => advance(api, parseBody(request.body)));
    },
    { prefix: ADMIN_PREFIX },
  );
}

interface AdvanceInput {
  subscription?: string;
  periods: number;
  paymentOutcome?: 'fail' | 'succeed';
}

function parseBody(body: unknown): AdvanceInput {
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const periods = b['periods'] === undefined ? 1 : Number(b['periods']);
  if (!Number.isInteger(periods) || periods < 1 || periods > 24) throw new AdminInputError('periods: Expected a whole number from 1 to 24');
  const outcome = b['paymentOutcome'];
  if (outcome !== undefined && outcome !== 'fail' && outcome !== 'succeed') throw new AdminInputError('paymentOutcome: Expected "fail" or "succeed"');
  const subscription = b['subscription'];
  if (subscription !== undefined && typeof subscription !== 'string') throw new AdminInputError('subscription: Expected a subscription id');
  return { periods, ...(subscription === undefined ? {} : { subscription }), ...(outcome === undefined ? {} : { paymentOutcome: outcome }) };
}

const LIVE = new Set(['active', 'past_due', 'trialing']);

function advance(api: StripeApi, input: AdvanceInput): { advanced: AdvancedSubscription[] } {
  const { state } = api;
  let targets: Subscription[];
  if (input.subscription !== undefined) {
    const one = state.subscriptions.get(input.subscription);
    if (one === undefined) throw Object.assign(new AdminInputError(`subscription: no subscription ${input.subscription}`), { statusCode: 404 });
    if (!LIVE.has(one.status)) throw new AdminInputError(`subscription: ${one.id} is ${one.status}; only active, past_due or trialing subscriptions renew`);
    targets = [one];
  } else {
    targets = state.subscriptions.list().filter((s) => LIVE.has(s.status) && s.test_clock === null);
  }
  const advanced: AdvancedSubscription[] = [];
  for (const target of targets) {
    for (let i = 0; i < input.periods; i++) {
      const subscription = state.subscriptions.get(target.id);
      if (subscription === undefined || !LIVE.has(subscription.status)) break;
      withPaymentOutcome(api, subscription.customer, input.paymentOutcome, () => moveClock(api, subscription, subscription.current_period_end));
    }
    advanced.push(summary(api, target.id));
  }
  return { advanced };
}

// The customer's clock (made at its current time when it has none) moved to `until`, renewing
// every subscription of the customer whose period ends by then, as a test clock advance does.
function moveClock(api: StripeApi, subscription: Subscription, until: number): void {
  const { state, billing } = api;
  const customer = state.customers.get(subscription.customer);
  if (customer === undefined) return;
  const clock = clockOf(api, customer);
  for (const sub of state.subscriptions.list()) {
    if (sub.customer !== customer.id) continue;
    if (sub.test_clock !== clock.id) {
      sub.test_clock = clock.id;
      state.subscriptions.put(sub.id, sub);
    }
    billing.advance(sub, until);
  }
  clock.frozen_time = Math.max(clock.frozen_time, until);
  state.testClocks.put(clock.id, clock);
}

function clockOf(api: StripeApi, customer: Customer): TestClock {
  const { state } = api;
  const known = customer.test_clock === null ? undefined : state.testClocks.get(customer.test_clock);
  if (known !== undefined) return known;
  const now = state.nowFor(customer.id);
  const clock: TestClock = {
    id: newId('clock'),
    object: 'test_helpers.test_clock',
    created: now,
    deletes_after: now + 30 * 86_400,
    frozen_time: now,
    livemode: false,
    name: `sandbox advance of ${customer.id}`,
    status: 'ready',
    status_details: {},
  };
  state.testClocks.put(clock.id, clock);
  customer.test_clock = clock.id;
  state.customers.put(customer.id, customer);
  return clock;
}

// The outcome asked for holds for this advance only: the customer's own setting comes back after.
function withPaymentOutcome(api: StripeApi, customerId: string, outcome: AdvanceInput['paymentOutcome'], fn: () => void): void {
  const { customers } = api.state;
  const customer = customers.get(customerId);
  if (outcome === undefined || customer === undefined) return fn();
  const before = customer.metadata['sandbox_payment_outcome'];
  const set = (value: string | undefined): void => {
    const c = customers.get(customerId);
    if (c === undefined) return;
    if (value === undefined) delete c.metadata['sandbox_payment_outcome'];
    else c.metadata['sandbox_payment_outcome'] = value;
    customers.put(customerId, c);
  };
  set(outcome);
  try {
    fn();
  } finally {
    set(before);
  }
}

function summary(api: StripeApi, id: string): AdvancedSubscription {
  const s = api.state.subscriptions.get(id)!;
  const latest = typeof s.latest_invoice === 'string' ? s.latest_invoice : null;
  return {
    id: s.id,
    customer: s.customer,
    status: s.status,
    current_period_start: s.current_period_start,
    current_period_end: s.current_period_end,
    latest_invoice: latest,
    latest_invoice_status: latest === null ? null : (api.state.invoices.get(latest)?.status ?? null),
  };
}
