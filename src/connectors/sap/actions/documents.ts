/**
 * Reading what follows an order: outbound deliveries (`API_OUTBOUND_DELIVERY_SRV;v=0002`) and
 * billing documents (`API_BILLING_DOCUMENT_SRV`), one by number with items — what an event
 * notification names — or all of a customer's, page after page (`__next`).
 */
import type { SapClient } from '../client.ts';
import { collection, entity, entityPath, expanded, fromODataDate, literal } from '../odata.ts';

/** The delivery service. */
export const DELIVERY_SERVICE = 'API_OUTBOUND_DELIVERY_SRV;v=0002';
/** The billing service. */
export const BILLING_SERVICE = 'API_BILLING_DOCUMENT_SRV';

/** An outbound delivery. */
export interface OutboundDelivery {
  deliveryDocument: string;
  soldToParty: string;
  /** `A` not yet, `C` goods issue posted. */
  goodsMovementStatus: string;
  goodsIssueDate: string | null;
  salesOrders: string[];
  items: Array<{ item: string; material: string; quantity: string; salesOrder: string }>;
}

/** A billing document. */
export interface BillingDocument {
  billingDocument: string;
  soldToParty: string;
  date: string | null;
  currency: string;
  netAmount: string;
  taxAmount: string;
  grossAmount: string;
  cancelled: boolean;
  /** The receivable is cleared: the customer paid (`InvoiceClearingStatus` C). */
  cleared: boolean;
  salesOrders: string[];
  items: Array<{ item: string; material: string; quantity: string; netAmount: string; salesOrder: string }>;
}

function toDelivery(raw: Record<string, unknown>): OutboundDelivery {
  const items = expanded<Record<string, unknown>>(raw['to_DeliveryDocumentItem']).map((i) => ({
    item: String(i['DeliveryDocumentItem']), material: String(i['Material']), quantity: String(i['ActualDeliveryQuantity']), salesOrder: String(i['ReferenceSDDocument']),
  }));
  return {
    deliveryDocument: String(raw['DeliveryDocument']), soldToParty: String(raw['SoldToParty'] ?? ''), goodsMovementStatus: String(raw['OverallGoodsMovementStatus'] ?? ''),
    goodsIssueDate: fromODataDate(raw['ActualGoodsMovementDate']), salesOrders: [...new Set(items.map((i) => i.salesOrder))], items,
  };
}

function toBilling(raw: Record<string, unknown>): BillingDocument {
  const items = expanded<Record<string, unknown>>(raw['to_Item']).map((i) => ({
    item: String(i['BillingDocumentItem']), material: String(i['Material']), quantity: String(i['BillingQuantity']), netAmount: String(i['NetAmount']), salesOrder: String(i['SalesDocument']),
  }));
  return {
    billingDocument: String(raw['BillingDocument']), soldToParty: String(raw['SoldToParty'] ?? ''), date: fromODataDate(raw['BillingDocumentDate']), currency: String(raw['TransactionCurrency'] ?? ''),
    netAmount: String(raw['TotalNetAmount'] ?? '0'), taxAmount: String(raw['TotalTaxAmount'] ?? '0'), grossAmount: String(raw['TotalGrossAmount'] ?? '0'),
    cancelled: raw['BillingDocumentIsCancelled'] === true, cleared: raw['InvoiceClearingStatus'] === 'C', salesOrders: [...new Set(items.map((i) => i.salesOrder))], items,
  };
}

/** One delivery with items. */
export async function getOutboundDelivery(client: SapClient, deliveryDocument: string): Promise<OutboundDelivery> {
  const res = await client.get(DELIVERY_SERVICE, entityPath('A_OutbDeliveryHeader', deliveryDocument), { $expand: 'to_DeliveryDocumentItem' });
  return toDelivery(entity(res.body));
}

/** One billing document with items. */
export async function getBillingDocument(client: SapClient, billingDocument: string): Promise<BillingDocument> {
  const res = await client.get(BILLING_SERVICE, entityPath('A_BillingDocument', billingDocument), { $expand: 'to_Item' });
  return toBilling(entity(res.body));
}

async function* pages(client: SapClient, service: string, set: string, query: Record<string, string>): AsyncGenerator<Record<string, unknown>> {
  let res = await client.get(service, set, query);
  for (;;) {
    const page = collection<Record<string, unknown>>(res.body);
    yield* page.results;
    if (page.next === undefined) return;
    res = await client.get(service, page.next);
  }
}

/** Every delivery of a sold-to party, following `__next`. */
export async function* listOutboundDeliveries(client: SapClient, soldToParty: string): AsyncGenerator<OutboundDelivery> {
  for await (const raw of pages(client, DELIVERY_SERVICE, 'A_OutbDeliveryHeader', { $filter: `SoldToParty eq ${literal(soldToParty)}`, $expand: 'to_DeliveryDocumentItem', $orderby: 'DeliveryDocument' })) yield toDelivery(raw);
}

/** Every billing document of a sold-to party, following `__next`. */
export async function* listBillingDocuments(client: SapClient, soldToParty: string): AsyncGenerator<BillingDocument> {
  for await (const raw of pages(client, BILLING_SERVICE, 'A_BillingDocument', { $filter: `SoldToParty eq ${literal(soldToParty)}`, $expand: 'to_Item', $orderby: 'BillingDocument' })) yield toBilling(raw);
}
