/**
 * The Stripe demo data set: the catalog the lead-to-order story sells (products with monthly and
 * yearly prices, each with a lookup key) and two customers, so a demo can subscribe at once.
 */
import type { Customer, Price, StripeObject } from './objects.ts';
import type { StripeState } from './stripe-state.ts';

const CATALOG = [
  { product: 'prod_SandboxPlatform', name: 'Interlock Platform', monthly: 49_900, yearly: 499_000 },
  { product: 'prod_SandboxSeats', name: 'Additional seat', monthly: 2_500, yearly: 25_000 },
  { product: 'prod_SandboxSupport', name: 'Premium support', monthly: 19_900, yearly: 199_000 },
] as const;

const CUSTOMERS = [
  { id: 'cus_SandboxAcme', name: 'Acme Corporation', email: 'billing@acme.example' },
  { id: 'cus_SandboxGlobex', name: 'Globex Inc.', email: 'ap@globex.example' },
] as const;

/** Loads the demo catalog and customers into an empty Stripe state. */
export function seedStripe(state: StripeState): void {
  const created = Math.floor(Date.now() / 1000);
  for (const item of CATALOG) {
    const product: StripeObject = {
      id: item.product,
      object: 'product',
      active: true,
      created,
      default_price: `price_${item.product.slice(5)}Monthly`,
      description: null,
      images: [],
      livemode: false,
      metadata: {},
      name: item.name,
      tax_code: null,
      type: 'service',
      unit_label: null,
      updated: created,
      url: null,
    };
    state.products.put(product.id, product);
    for (const [interval, amount] of [
      ['month', item.monthly],
      ['year', item.yearly],
    ] as const) {
      const suffix = interval === 'month' ? 'Monthly' : 'Yearly';
      const price: Price = {
        id: `price_${item.product.slice(5)}${suffix}`,
        object: 'price',
        active: true,
        billing_scheme: 'per_unit',
        created,
        currency: 'usd',
        livemode: false,
        lookup_key: `${item.product.slice(5).toLowerCase()}_${interval}ly`,
        metadata: {},
        nickname: `${item.name} (${suffix.toLowerCase()})`,
        product: product.id,
        recurring: { interval, interval_count: 1, meter: null, trial_period_days: null, usage_type: 'licensed' },
        tax_behavior: 'exclusive',
        type: 'recurring',
        unit_amount: amount,
        unit_amount_decimal: String(amount),
      };
      state.prices.put(price.id, price);
    }
  }
  for (const c of CUSTOMERS) {
    const customer: Customer = {
      id: c.id,
      object: 'customer',
      address: null,
      balance: 0,
      created,
      currency: 'usd',
      delinquent: false,
      description: null,
      email: c.email,
      name: c.name,
      phone: null,
      invoice_prefix: c.id.slice(-4).toUpperCase() + '0001',
      invoice_settings: { custom_fields: null, default_payment_method: 'pm_card_visa', footer: null },
      livemode: false,
      metadata: {},
      next_invoice_sequence: 1,
      preferred_locales: [],
      tax_exempt: 'none',
      test_clock: null,
    };
    state.customers.put(customer.id, customer);
  }
}
