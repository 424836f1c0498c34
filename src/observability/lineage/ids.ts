/**
 * Recognises the record ids a step's journaled result names, so lineage can be indexed
 * generically, without each flow declaring what it touched: Stripe ids by their prefix
 * (`sub_`, `in_`, `cus_`…), Salesforce ids by shape (18 characters whose case-safe suffix checks
 * out, typed by key prefix), and NetSuite internal ids and transaction numbers by where they sit
 * (the `id`, `tranId` or `…Id` of a step named `netsuite-…`).
 */

/** A record of some system. */
export interface RecordRef {
  system: string;
  type: string;
  id: string;
}

const STRIPE_TYPES: Readonly<Record<string, string>> = {
  cus: 'customer', sub: 'subscription', in: 'invoice', pi: 'payment_intent', ch: 'charge', price: 'price', prod: 'product', si: 'subscription_item', ii: 'invoiceitem', re: 'refund', pm: 'payment_method',
};

const SALESFORCE_TYPES: Readonly<Record<string, string>> = {
  '001': 'Account', '003': 'Contact', '006': 'Opportunity', '00k': 'OpportunityLineItem', '00Q': 'Lead', '01t': 'Product2', '01u': 'PricebookEntry', '0Q0': 'Quote', '800': 'Contract', '801': 'Order',
};

const SYSTEMS = ['netsuite', 'salesforce', 'stripe', 'avalara'] as const;

const SUFFIX = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

/** Whether `id` is an 18-character Salesforce id (its last three characters encode the case of the first fifteen). */
function isSalesforceId(id: string): boolean {
  if (!/^[a-zA-Z0-9]{18}$/.test(id) || !/\d/.test(id)) return false;
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const c = id.charAt(chunk * 5 + i);
      if (c >= 'A' && c <= 'Z') bits |= 1 << i;
    }
    suffix += SUFFIX.charAt(bits);
  }
  return id.endsWith(suffix);
}

/** What `value` is on its own (an id whose shape names its system), or undefined. */
export function recogniseId(value: string): RecordRef | undefined {
  const stripe = /^([a-z]{2,5})_[A-Za-z0-9]{8,}$/.exec(value);
  if (stripe !== null && STRIPE_TYPES[stripe[1]!] !== undefined) return { system: 'stripe', type: STRIPE_TYPES[stripe[1]!]!, id: value };
  if (isSalesforceId(value)) return { system: 'salesforce', type: SALESFORCE_TYPES[value.slice(0, 3)] ?? 'record', id: value };
  return undefined;
}

/** The system a step works on, from its name (`netsuite-sales-order` → netsuite), if any. */
function systemOfStep(step: string): string | undefined {
  return SYSTEMS.find((s) => step === s || step.startsWith(`${s}-`));
}

/** NetSuite record type from the step name: `netsuite-sales-order` → `salesOrder`. */
function typeOfStep(step: string, system: string): string {
  const rest = step.slice(system.length + 1).replace(/#\d+$/, '');
  return rest === '' ? 'record' : rest.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
}

/** Every record `result` of step `step` names, each once. Bounded: stops after 200 values. */
export function refsInResult(step: string, result: unknown): RecordRef[] {
  const found = new Map<string, RecordRef>();
  const system = systemOfStep(step);
  let budget = 200;
  const add = (r: RecordRef) => found.set(`${r.system}\u0000${r.id}`, r);
  const visit = (value: unknown, key: string | undefined, depth: number): void => {
    if (budget-- <= 0 || depth > 6) return;
    if (typeof value === 'string') {
      const known = recogniseId(value);
      if (known !== undefined) {
        add(known);
        return;
      }
      // A plain value is an id of the step's own system only where the result says so.
      if (system === 'netsuite' && value !== '' && value.length <= 64 && (key === undefined || key === 'id' || key === 'tranId' || /Id$/.test(key))) {
        const type = key === 'paymentId' ? 'customerPayment' : typeOfStep(step, system);
        add({ system, type: key === 'tranId' ? `${type}Number` : type, id: value });
      }
      return;
    }
    if (Array.isArray(value)) return value.forEach((v) => visit(v, key, depth + 1));
    if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) visit(v, k, depth + 1);
  };
  visit(result, undefined, 0);
  return [...found.values()];
}

/** Whether a step only reads (its refs are `read`), from its name. */
export function isReadStep(step: string): boolean {
  return /^(read|find|get|validate|lookup)(-|$)/.test(step);
}
