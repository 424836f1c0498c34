/**
 * A partner portal's client of Interlock's synchronous API (`/v1`): one method per call a portal
 * makes while a partner turns a quote into an order. It uses only `fetch`, so it can be copied
 * into any TypeScript front end or back end as it is.
 *
 * Every answer built from an ERP copy carries `stale` and `ageSeconds`: a portal shows such a
 * figure as "as of n s ago" instead of as live. Every refusal is RFC 9457 problem+json and is
 * thrown as an {@link ApiProblem}.
 */

/** An error answer of the API (problem+json). */
export class ApiProblem extends Error {
  readonly status: number;
  /** The stable problem type, e.g. `https://interlock.dev/problems/order-invalid`. */
  readonly type: string;
  /** The whole problem body (`problems`, `downstream`, … where the type has them). */
  readonly body: Record<string, unknown>;

  constructor(status: number, body: Record<string, unknown>) {
    super(`${status} ${String(body['title'] ?? '')}: ${String(body['detail'] ?? '')}`);
    this.name = 'ApiProblem';
    this.status = status;
    this.type = String(body['type'] ?? '');
    this.body = body;
  }

  /** The last segment of the type: `order-invalid`, `downstream-unavailable`… */
  get slug(): string {
    return this.type.slice(this.type.lastIndexOf('/') + 1);
  }
}

/** How fresh an answer is. */
export interface Freshness {
  stale: boolean;
  ageSeconds: number;
  staleReason?: string;
}

/** The SAP business partner behind a CRM account, and whether orders can be booked to it. */
export interface AccountCheck extends Freshness {
  valid: boolean;
  problems: string[];
  partner: {
    businessPartner: string;
    customer: string | null;
    name: string;
    salesAreas: Array<{ salesOrganization: string; distributionChannel: string; division: string; currency: string }>;
    address: { country: string | null; city: string | null; postalCode: string | null; street: string | null } | null;
  };
}

/** What SAP can promise, line by line. */
export interface Availability extends Freshness {
  available: boolean;
  lines: Array<{ material: string; quantity: number; availableQuantity: number | null; unit: string | null; sufficient: boolean; shortfall: number; problem?: string }>;
}

/** An AvaTax estimate with its jurisdictions. */
export interface TaxEstimate {
  totalAmount: number;
  totalTax: number;
  currency: string;
  jurisdictions: Array<{ name: string; type: string; taxName: string; rate: number; tax: number }>;
}

/** Credit left in SAP, and whether an order of the amount fits. */
export interface Credit extends Freshness {
  status: 'within-limit' | 'over-limit' | 'no-limit' | 'on-hold';
  creditLimit: number | null;
  balance: number;
  available: number | null;
  currency: string | null;
  fits: boolean;
}

/** An order line. */
export interface OrderLine {
  material: string;
  quantity: number;
  unitPrice: number;
}

/** The order a portal submits. */
export interface Order {
  opportunityId: string;
  accountNumber: string;
  currency: string;
  plant: string;
  salesArea?: string;
  lines: OrderLine[];
}

/** A submission accepted for booking. */
export interface Submission {
  runId: number;
  outcome: 'started' | 'attached';
  total: number;
  statusUrl: string;
}

/** Where a submitted order is. */
export interface OrderStatus {
  runId: number;
  status: string;
  waitingFor: string | null;
  result: unknown;
  error: string | null;
}

/** The run states after which nothing more happens to an order. */
export const FINAL_STATES: readonly string[] = ['completed', 'failed', 'compensated', 'compensation-failed', 'cancelled'];

/** The API of one Interlock, called with one API key. */
export class PortalClient {
  readonly #base: string;
  readonly #key: string;

  /** `baseUrl`: where Interlock listens; `apiKey`: a key of role viewer (checks) or operator (orders too). */
  constructor(baseUrl: string, apiKey: string) {
    this.#base = baseUrl.replace(/\/$/, '');
    this.#key = apiKey;
  }

  /** The SAP business partner of a CRM account number, judged for an order in `salesArea` and `currency`. */
  lookupAccount(accountNumber: string, needs: { salesArea?: string; currency?: string } = {}): Promise<AccountCheck> {
    const query = new URLSearchParams(Object.entries(needs).filter((e): e is [string, string] => e[1] !== undefined));
    return this.#call('GET', `/v1/business-partners/${encodeURIComponent(accountNumber)}${query.size > 0 ? `?${query}` : ''}`);
  }

  /** What SAP can promise of each line at `plant`. */
  availability(plant: string, lines: ReadonlyArray<{ material: string; quantity: number }>): Promise<Availability> {
    return this.#call('POST', '/v1/availability', { plant, lines: lines.map(({ material, quantity }) => ({ material, quantity })) });
  }

  /** AvaTax's estimate for the lines shipped from `legalEntity` to `shipTo`. */
  taxEstimate(input: { legalEntity: string; currency: string; customerCode?: string; shipTo: Record<string, string>; lines: ReadonlyArray<{ sku: string; quantity: number; amount: number }> }): Promise<TaxEstimate> {
    return this.#call('POST', '/v1/tax/estimate', input);
  }

  /** The SAP credit of the account, and whether `amount` fits. */
  credit(accountNumber: string, amount: number): Promise<Credit> {
    return this.#call('GET', `/v1/customers/${encodeURIComponent(accountNumber)}/credit?source=sap&amount=${amount}`);
  }

  /**
   * Submits the order. `idempotencyKey` makes a retry safe: sent again after a lost answer, the
   * same key and order get the first answer back, never a second order.
   */
  submitOrder(order: Order, idempotencyKey: string): Promise<Submission> {
    return this.#call('POST', '/v1/sales-orders', order, { 'idempotency-key': idempotencyKey });
  }

  /** Where the order is now. */
  orderStatus(statusUrl: string): Promise<OrderStatus> {
    return this.#call('GET', statusUrl);
  }

  /** Polls `statusUrl` until the order's run ends or `timeoutMs` passes; the last status either way. */
  async waitForOrder(statusUrl: string, options: { timeoutMs?: number; intervalMs?: number; onChange?: (s: OrderStatus) => void } = {}): Promise<OrderStatus> {
    const deadline = Date.now() + (options.timeoutMs ?? 60_000);
    let last: string | undefined;
    for (;;) {
      const status = await this.orderStatus(statusUrl);
      if (status.status !== last) options.onChange?.(status);
      last = status.status;
      if (FINAL_STATES.includes(status.status) || Date.now() >= deadline) return status;
      await new Promise((r) => setTimeout(r, options.intervalMs ?? 250));
    }
  }

  async #call<T>(method: 'GET' | 'POST', path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    const res = await fetch(`${this.#base}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.#key}`, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    const parsed = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
    if (!res.ok) throw new ApiProblem(res.status, parsed);
    return parsed as T;
  }
}
