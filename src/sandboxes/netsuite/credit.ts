/**
 * What a customer owes, kept on the customer record as NetSuite keeps it (the Financial subtab):
 * `balance` — open receivables, what is left to pay on its invoices less payments not yet applied;
 * `overdueBalance` — the part of it on invoices past their due date; `unbilledOrders` — sales
 * orders not yet invoiced (nor closed). Recomputed whenever one of its transactions is written or
 * deleted, so the REST record and SuiteQL read the same figures. `creditLimit` is set by users.
 */
import { findRecordType } from './schema.ts';
import type { NsRecordType } from './schema.ts';
import type { NsRecord, NsStore } from './store.ts';

const TRANSACTIONS: ReadonlySet<string> = new Set(['salesOrder', 'invoice', 'customerPayment']);

/** Whether writing a record of `type` may change what a customer owes. */
export function affectsCredit(type: NsRecordType): boolean {
  return TRANSACTIONS.has(type.name);
}

/** The customer a transaction belongs to (`entity`, or `customer` on payments). */
export function customerOf(record: NsRecord | undefined): string | undefined {
  const id = record?.fields['entity'] ?? record?.fields['customer'];
  return typeof id === 'string' ? id : undefined;
}

/** Recomputes `balance`, `overdueBalance` and `unbilledOrders` of customer `customerId`. */
export function refreshCustomerCredit(store: NsStore, customerId: string | undefined, today = new Date().toISOString().slice(0, 10)): void {
  if (customerId === undefined) return;
  const customerType = findRecordType('customer') as NsRecordType;
  const customer = store.get(customerType, customerId);
  if (customer === undefined) return;
  const mine = store.ofCustomer(customerId, TRANSACTIONS).filter((t) => customerOf(t) === customerId);
  const billed = new Set(mine.filter((t) => t.type === 'invoice').map((t) => t.fields['createdFrom']));
  let balance = 0;
  let overdue = 0;
  let unbilled = 0;
  for (const t of mine) {
    if (t.type === 'invoice') {
      const remaining = Number(t.fields['amountRemaining'] ?? 0);
      balance += remaining;
      const due = t.fields['dueDate'];
      if (typeof due === 'string' && due < today) overdue += remaining;
    } else if (t.type === 'customerPayment') {
      balance -= Number(t.fields['unapplied'] ?? 0);
    } else if (!billed.has(t.id) && !closed(t)) {
      unbilled += Number(t.fields['total'] ?? 0);
    }
  }
  store.put(customerType, { ...customer, fields: { ...customer.fields, balance: round2(balance), overdueBalance: round2(overdue), unbilledOrders: round2(unbilled) } });
}

// An order whose every line is closed will not be billed.
function closed(order: NsRecord): boolean {
  const lines = order.sublists['item'] ?? [];
  return lines.length > 0 && lines.every((l) => l['isClosed'] === true);
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
