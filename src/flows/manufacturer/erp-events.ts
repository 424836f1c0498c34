/**
 * Events back to the CRM: SAP's outbound delivery (shipment milestone) and billing document
 * (invoice posting; its change when the receivable is cleared: collections) notifications, pushed by Event Mesh, update the Dynamics 365 opportunity
 * (`il_shipmentstatus`, `il_billingstatus`, `il_paymentstatus`), the Dynamics sales order (by
 * `il_erpordernumber`) and invoice (by `il_erpbillingdocument`), and are published as canonical
 * CloudEvents (`interlock.shipment.planned.v1` / `.dispatched.v1`, `interlock.invoice.posted.v1` /
 * `.paid.v1` / `.cancelled.v1`) to a configured destination.
 *
 * Runs are keyed by the document and queued, so one document's notifications apply in arrival
 * order; a notification older than what was applied to its document (a `Created` after the
 * `GoodsIssued`, an earlier time) is skipped with a record (`check-stale`, `applied_versions` of
 * source `sap`); duplicates never reach the flow (the inbox dedups on the CloudEvent id).
 */
import { cloudEvent } from '../../canonical/events.ts';
import type { Invoice } from '../../canonical/invoice.ts';
import type { Shipment } from '../../canonical/shipment.ts';
import { alternateKey, guid } from '../../connectors/dynamics/actions/odata.ts';
import { updateOpportunity } from '../../connectors/dynamics/actions/update-opportunity.ts';
import { getBillingDocument, getOutboundDelivery } from '../../connectors/sap/actions/documents.ts';
import type { BillingDocument, OutboundDelivery } from '../../connectors/sap/actions/documents.ts';
import { getSalesOrder } from '../../connectors/sap/actions/sales-order.ts';
import type { SapBusinessEvent } from '../../connectors/sap/triggers/event-mesh.ts';
import { InterlockError, validationError } from '../../core/errors.ts';
import type { InboundEvent } from '../../engine/inbox.ts';
import type { Store } from '../../store/store.ts';
import { defineFlow } from '../define-flow.ts';
import type { FlowContext, FlowDefinition, StepRetryPolicy } from '../define-flow.ts';
import { AppliedVersions } from '../stripe-events/applied-versions.ts';
import type { AppliedVersion } from '../stripe-events/applied-versions.ts';
import type { ManufacturerDeps } from './deps.ts';
import { customerIdOf } from './validate.ts';

/** The flow's name. */
export const MANUFACTURER_ERP_EVENTS_FLOW = 'manufacturer-erp-events';

/** The inbox source of SAP Event Mesh notifications. */
export const SAP_SOURCE = 'sap';

/** The inbox event types of the notifications this flow applies. */
export const SAP_EVENT_TYPES = ['sap.delivery.created', 'sap.delivery.changed', 'sap.delivery.goods-issued', 'sap.billing.created', 'sap.billing.changed', 'sap.billing.cancelled'] as const;

/** An SAP notification as the inbox keeps it. */
export interface SapInboxBody {
  /** The CloudEvent id (the inbox's dedup key). */
  id: string;
  type: (typeof SAP_EVENT_TYPES)[number];
  kind: 'delivery' | 'billing';
  action: string;
  /** The delivery or billing document number. */
  document: string;
  /** The CloudEvent's time, when it had one. */
  time: string | null;
  /** The vendor's event type. */
  sapType: string;
}

/** The inbox event of an Event Mesh notification, or undefined for a kind this flow does not apply. */
export function sapInboxEvent(event: SapBusinessEvent): InboundEvent | undefined {
  if (event.kind !== 'delivery' && event.kind !== 'billing') return undefined;
  const type = `sap.${event.kind}.${event.action}`;
  if (!(SAP_EVENT_TYPES as readonly string[]).includes(type)) return undefined;
  const document = event.kind === 'delivery' ? event.deliveryDocument : event.billingDocument;
  const body: SapInboxBody = { id: event.id, type: type as SapInboxBody['type'], kind: event.kind, action: event.action, document, time: event.time ?? null, sapType: event.type };
  return { source: SAP_SOURCE, eventId: event.id, headers: {}, body: JSON.stringify(body) };
}

/** Options of {@link manufacturerErpEventsFlow}. */
export interface ErpEventsFlowOptions {
  /** Where the last applied version of each document is kept (the store the runs are in). */
  store: Store;
  /** Destination (from `destinations`) the canonical CloudEvents are sent to; none: not published. */
  publishTo?: string | undefined;
  /** @default 'manufacturer-erp-events' */
  name?: string;
  /** @default 1 */
  version?: number;
  /** @default 8 attempts */
  retry?: Partial<StepRetryPolicy>;
}

/** How a run ended. */
export type ErpEventResult =
  | { status: 'applied'; type: string; document: string; opportunityId: string; salesOrder: string; columns: Record<string, string | null>; published: string | null }
  | { status: 'skipped'; reason: 'stale'; eventId: string; objectId: string; note: string }
  | { status: 'not-ours'; document: string; reason: string };

// A milestone ranks above the ones before it whatever the clocks say; within one, the later time
// wins. A billing document's change is its payment (clearing), after its creation, before a cancellation.
const MILESTONES: Readonly<Record<SapInboxBody['kind'], Readonly<Record<string, number>>>> = {
  delivery: { created: 1, changed: 1, 'goods-issued': 2, deleted: 3 },
  billing: { created: 1, changed: 2, cancelled: 3 },
};

/** The version of a notification: `[milestone, time]` for the document. */
export function sapEventVersion(body: SapInboxBody): AppliedVersion {
  const time = body.time === null ? 0 : Date.parse(body.time);
  return { objectId: `${body.kind}:${body.document}`, rank: [MILESTONES[body.kind][body.action] ?? 1, Number.isFinite(time) ? time : 0], eventId: body.id };
}

/** The Dynamics opportunity id carried in an SAP order's `PurchaseOrderByCustomer` (a GUID without dashes), or undefined. */
export function opportunityOfReference(reference: string): string | undefined {
  const hex = reference.toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(hex)) return undefined;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The flow, started by an SAP notification from source `sap`, business key = the document number. */
export function manufacturerErpEventsFlow(deps: ManufacturerDeps, options: ErpEventsFlowOptions): FlowDefinition {
  const versions = new AppliedVersions(options.store, SAP_SOURCE);
  return defineFlow<unknown, ErpEventResult>({
    name: options.name ?? MANUFACTURER_ERP_EVENTS_FLOW,
    version: options.version ?? 1,
    concurrency: 'queue',
    trigger: SAP_EVENT_TYPES.map((type) => ({ source: SAP_SOURCE, type, key: 'document' })),
    retry: { maxAttempts: 8, ...options.retry },
    async run(ctx) {
      const body = sapBodyOf(ctx.input);
      const check = await ctx.step.run('check-stale', async () => {
        const version = sapEventVersion(body);
        const last = (await versions.get(version.objectId)) ?? null;
        const stale = last !== null && compareRanks(version.rank, last.rank) < 0;
        return { stale, version, note: stale && last !== null ? `skipped: stale — ${body.sapType} ${body.id} is older than ${last.eventId}, already applied to ${version.objectId}` : null };
      });
      if (check.stale) return { status: 'skipped', reason: 'stale', eventId: body.id, objectId: check.version.objectId, note: check.note ?? 'skipped: stale' };
      const document = await ctx.step.run('read-document', () => readDocument(deps, body));
      const deal = await ctx.step.run('find-deal', () => findDeal(deps, document.salesOrders));
      if ('reason' in deal) {
        await ctx.step.run('record-version', () => versions.advance(check.version));
        return { status: 'not-ours', document: body.document, reason: deal.reason };
      }
      const status = statusColumns(body, document);
      await ctx.step.run('dynamics-opportunity', () => updateOpportunity(deps.dynamics, { opportunityId: deal.opportunityId, ...status }));
      await ctx.step.run('dynamics-document', () => upsertDynamicsDocument(deps, body, document, deal, status));
      const published = await publish(ctx, options.publishTo, body, document, deal);
      await ctx.step.run('record-version', () => versions.advance(check.version));
      return { status: 'applied', type: body.type, document: body.document, opportunityId: deal.opportunityId, salesOrder: deal.salesOrder, columns: status as Record<string, string | null>, published };
    },
  }) as FlowDefinition;
}

function compareRanks(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function sapBodyOf(input: unknown): SapInboxBody {
  const b = input as Partial<SapInboxBody> | null;
  if (b === null || typeof b !== 'object' || typeof b.document !== 'string' || (b.kind !== 'delivery' && b.kind !== 'billing') || typeof b.id !== 'string' || typeof b.action !== 'string') {
    throw validationError('expected an SAP delivery or billing notification {id, kind, action, document}');
  }
  return { time: null, sapType: String(b.type), ...b } as SapInboxBody;
}

/** The document as the flow journals it. */
type ReadDocument = { kind: 'delivery'; delivery: OutboundDelivery; salesOrders: string[] } | { kind: 'billing'; billing: BillingDocument; salesOrders: string[] };

async function readDocument(deps: ManufacturerDeps, body: SapInboxBody): Promise<ReadDocument> {
  if (body.kind === 'delivery') {
    const delivery = await getOutboundDelivery(deps.sap, body.document);
    return { kind: 'delivery', delivery, salesOrders: delivery.salesOrders };
  }
  const billing = await getBillingDocument(deps.sap, body.document);
  return { kind: 'billing', billing, salesOrders: billing.salesOrders };
}

interface Deal {
  opportunityId: string;
  accountId: string | null;
  salesOrder: string;
  currency: string;
}

// The deal behind the document: its sales order's customer reference is the opportunity.
async function findDeal(deps: ManufacturerDeps, salesOrders: readonly string[]): Promise<Deal | { reason: string }> {
  const salesOrder = salesOrders.find((s) => s !== '' && s !== 'undefined');
  if (salesOrder === undefined) return { reason: 'the document references no sales order' };
  const order = await getSalesOrder(deps.sap, salesOrder);
  const opportunityId = opportunityOfReference(order.PurchaseOrderByCustomer);
  if (opportunityId === undefined) return { reason: `sales order ${salesOrder} carries no Dynamics opportunity (PurchaseOrderByCustomer "${order.PurchaseOrderByCustomer}")` };
  try {
    const res = await deps.dynamics.api<{ _customerid_value?: unknown }>({ method: 'GET', path: `opportunities(${guid(opportunityId, 'opportunityId')})`, query: { $select: '_customerid_value' } });
    const account = res.body._customerid_value;
    return { opportunityId, accountId: typeof account === 'string' ? account : null, salesOrder, currency: order.TransactionCurrency };
  } catch (err) {
    if (err instanceof InterlockError && err.code === 'not-found') return { reason: `opportunity ${opportunityId} of sales order ${salesOrder} is not in Dynamics 365` };
    throw err;
  }
}

type StatusColumns = { shipmentStatus?: string | null; billingStatus?: string | null; paymentStatus?: string | null };

/** What the opportunity shows after the notification. */
export function statusColumns(body: Pick<SapInboxBody, 'kind' | 'action' | 'document'>, document: ReadDocument): StatusColumns {
  if (document.kind === 'delivery') {
    const d = document.delivery;
    if (body.action === 'deleted') return { shipmentStatus: `Delivery ${d.deliveryDocument} deleted` };
    if (d.goodsMovementStatus === 'C') return { shipmentStatus: `Shipped ${d.goodsIssueDate?.slice(0, 10) ?? ''} (delivery ${d.deliveryDocument})`.replace('  ', ' ') };
    return { shipmentStatus: `In delivery ${d.deliveryDocument}` };
  }
  const b = document.billing;
  if (b.cancelled || body.action === 'cancelled') return { billingStatus: `Invoice ${b.billingDocument} cancelled`, paymentStatus: null };
  if (b.cleared) return { billingStatus: `Invoiced ${b.billingDocument}: ${b.grossAmount} ${b.currency}`, paymentStatus: 'Paid' };
  // Posted and not yet cleared: collections has it as an open item.
  return { billingStatus: `Invoiced ${b.billingDocument}: ${b.grossAmount} ${b.currency}`, paymentStatus: 'Open' };
}

// The Dynamics sales order and invoice mirror SAP's: upserted by their ERP numbers (alternate keys).
async function upsertDynamicsDocument(deps: ManufacturerDeps, body: SapInboxBody, document: ReadDocument, deal: Deal, status: StatusColumns): Promise<{ entity: string; key: string }> {
  const links: Record<string, string> = { 'opportunityid@odata.bind': `/opportunities(${deal.opportunityId})` };
  if (deal.accountId !== null) links['customerid_account@odata.bind'] = `/accounts(${deal.accountId})`;
  if (document.kind === 'delivery') {
    await deps.dynamics.api({
      method: 'PATCH',
      path: `salesorders(${alternateKey({ il_erpordernumber: deal.salesOrder })})`,
      json: { name: `SAP order ${deal.salesOrder}`, il_shipmentstatus: status.shipmentStatus ?? null, ...links },
    });
    return { entity: 'salesorder', key: deal.salesOrder };
  }
  const fields: Record<string, unknown> = { name: `SAP invoice ${body.document}`, il_paymentstatus: document.billing.cancelled ? 'Cancelled' : (status.paymentStatus ?? null), ...links };
  await deps.dynamics.api({ method: 'PATCH', path: `invoices(${alternateKey({ il_erpbillingdocument: body.document })})`, json: fields });
  return { entity: 'invoice', key: body.document };
}

// Step `publish`: the canonical event, queued in the outbox with the step (so exactly once per run).
async function publish(ctx: FlowContext<unknown>, destination: string | undefined, body: SapInboxBody, document: ReadDocument, deal: Deal): Promise<string | null> {
  if (destination === undefined) return null;
  return ctx.step.run('publish', (s) => {
    const event = canonicalEvent(body, document, deal);
    s.send({ destination, key: deal.opportunityId, payload: JSON.stringify(event) });
    return event.type;
  });
}

/**
 * The canonical CloudEvent of a notification. Its id names the fact (document and milestone), not
 * the notification: two notifications read after the same milestone (a late `Created` read once
 * goods were issued) publish the same event id, which consumers recognise as one fact.
 */
export function canonicalEvent(body: SapInboxBody, document: ReadDocument, deal: Deal): ReturnType<typeof cloudEvent> {
  const source = '/interlock/manufacturer/sap';
  const time = body.time === null ? new Date() : new Date(body.time);
  const orderId = `d365-opp-${deal.opportunityId}`;
  if (document.kind === 'delivery') {
    const d = document.delivery;
    const shipped = d.goodsMovementStatus === 'C';
    const shipment: Shipment = {
      id: `sap-dlv-${d.deliveryDocument}`,
      refs: [{ system: 'sap', objectType: 'A_OutbDeliveryHeader', externalId: d.deliveryDocument }],
      version: sapEventVersion(body).rank[0] ?? 1,
      orderId,
      status: shipped ? 'shipped' : 'planned',
      ...(shipped && d.goodsIssueDate !== null ? { shippedAt: new Date(d.goodsIssueDate).toISOString() } : {}),
      lines: d.items.map((item, i) => ({ orderLineNumber: i + 1, sku: item.material, quantity: decimal(item.quantity) })),
    };
    return cloudEvent(shipped ? 'interlock.shipment.dispatched.v1' : 'interlock.shipment.planned.v1', orderId, { shipment }, source, { id: `sap-delivery-${d.deliveryDocument}-${shipment.status}`, time });
  }
  const b = document.billing;
  const currency = b.currency || deal.currency;
  const money = (amount: string) => ({ amount: decimal(amount), currency });
  const invoice: Invoice = {
    id: `sap-bill-${b.billingDocument}`,
    refs: [{ system: 'sap', objectType: 'A_BillingDocument', externalId: b.billingDocument }],
    version: sapEventVersion(body).rank[0] ?? 1,
    invoiceNumber: b.billingDocument,
    customerId: deal.accountId === null ? `sap-bp-${b.soldToParty}` : customerIdOf(deal.accountId),
    orderId,
    status: b.cancelled ? 'void' : b.cleared ? 'paid' : 'open',
    currency,
    ...(b.date === null ? {} : { issueDate: b.date.slice(0, 10) }),
    subtotal: money(b.netAmount),
    tax: money(b.taxAmount),
    total: money(b.grossAmount),
    ...(b.cleared ? { amountPaid: money(b.grossAmount) } : {}),
    balance: b.cancelled || b.cleared ? money('0') : money(b.grossAmount),
    lines: b.items.map((item, i) => {
      const quantity = Number(item.quantity);
      const net = Number(item.netAmount);
      return { lineNumber: i + 1, sku: item.material, quantity: decimal(item.quantity), unitPrice: money(quantity > 0 ? String(Math.round((net / quantity) * 100) / 100) : '0'), amount: money(item.netAmount) };
    }),
  };
  const type = b.cancelled ? 'interlock.invoice.cancelled.v1' : b.cleared ? 'interlock.invoice.paid.v1' : 'interlock.invoice.posted.v1';
  return cloudEvent(type, orderId, { invoice }, source, { id: `sap-billing-${b.billingDocument}-${invoice.status}`, time });
}

// SAP sends decimals as text ("12.000"); the canonical Decimal has no trailing noise requirement, but no leading '+'/exponent either.
function decimal(text: string): string {
  const n = Number(text);
  return Number.isFinite(n) ? String(n) : '0';
}
