/**
 * What happens in S/4HANA after an order is booked, which no public API of these services
 * triggers: the shipping clerk creates the outbound delivery, posts goods issue, and billing
 * creates the invoice (billing document). The admin API drives these steps; `PostGoodsIssue` is
 * also the delivery service's own function import. Each step updates the sales order's statuses
 * and publishes its business event.
 */
import { SapError } from './errors.ts';
import type { SapEvents } from './events.ts';
import { setByName } from './schema.ts';
import type { Material, SapRecord, SapStore } from './store.ts';

const today = (): string => new Date().toISOString().slice(0, 10);
const HEADER = setByName('A_SalesOrder');
const DELIVERY = setByName('A_OutbDeliveryHeader');
const DELIVERY_ITEM = setByName('A_OutbDeliveryItem');
const BILLING = setByName('A_BillingDocument');
const BILLING_ITEM = setByName('A_BillingDocumentItem');

/** Creates the outbound delivery of every item of a sales order. */
export function createDelivery(store: SapStore, events: SapEvents, salesOrder: string): SapRecord {
  const order = store.get(HEADER, { SalesOrder: salesOrder });
  if (order === undefined) throw new SapError(404, 'VL/302', `Sales order ${salesOrder} does not exist`);
  if (order.values['OverallTotalDeliveryStatus'] === 'C') throw new SapError(400, 'VL/008', `Sales order ${salesOrder} is already fully delivered`);
  const id = store.next('DeliveryDocument', 80_000_000);
  const delivery = store.put(DELIVERY, {
    DeliveryDocument: id, DeliveryDocumentType: 'LF', ShipToParty: order.values['SoldToParty'] ?? null, SoldToParty: order.values['SoldToParty'] ?? null,
    ShippingPoint: '1710', SalesOrganization: order.values['SalesOrganization'] ?? null, OverallGoodsMovementStatus: 'A', OverallSDProcessStatus: 'A', OverallPickingStatus: 'C',
    DeliveryDate: today(), PlannedGoodsIssueDate: today(), ActualGoodsMovementDate: null, CreationDate: today(), LastChangeDate: today(),
  });
  store.children(HEADER, 'to_Item', order.values).forEach((item, i) => {
    store.put(DELIVERY_ITEM, {
      DeliveryDocument: id, DeliveryDocumentItem: String((i + 1) * 10), Material: item.values['Material'] ?? null, ActualDeliveryQuantity: item.values['RequestedQuantity'] ?? null,
      DeliveryQuantityUnit: item.values['RequestedQuantityUnit'] ?? null, Plant: item.values['Plant'] ?? null, ReferenceSDDocument: salesOrder, ReferenceSDDocumentItem: item.values['SalesOrderItem'] ?? null,
    });
  });
  store.put(HEADER, { ...order.values, OverallTotalDeliveryStatus: 'C', OverallSDProcessStatus: 'B', LastChangeDateTime: new Date().toISOString() });
  events.publish('outboundDelivery', 'Created', id);
  return delivery;
}

/** Posts goods issue for a delivery (stock leaves the plant). */
export function postGoodsIssue(store: SapStore, events: SapEvents, deliveryDocument: string): SapRecord {
  const delivery = store.get(DELIVERY, { DeliveryDocument: deliveryDocument });
  if (delivery === undefined) throw new SapError(404, 'VL/302', `Delivery ${deliveryDocument} does not exist`);
  if (delivery.values['OverallGoodsMovementStatus'] === 'C') throw new SapError(400, 'VL/602', `Goods issue for delivery ${deliveryDocument} is already posted`);
  for (const item of store.children(DELIVERY, 'to_DeliveryDocumentItem', delivery.values)) {
    const material = store.materials.get(String(item.values['Material']));
    if (material !== undefined) store.materials.put(material.material, { ...material, stock: material.stock - Number(item.values['ActualDeliveryQuantity'] ?? 0) });
  }
  const posted = store.put(DELIVERY, { ...delivery.values, OverallGoodsMovementStatus: 'C', OverallSDProcessStatus: 'C', ActualGoodsMovementDate: today(), LastChangeDate: today() });
  events.publish('outboundDelivery', 'GoodsIssued', deliveryDocument);
  return posted;
}

/**
 * Posts a goods receipt into the plant's unrestricted stock (movement type 101): what a
 * replenishment from a supplier or production adds. No event: S/4HANA publishes none for a
 * material document that Interlock subscribes to.
 */
export function postGoodsReceipt(store: SapStore, materialId: string, quantity: number): Material {
  const material = store.materials.get(materialId);
  if (material === undefined) throw new SapError(404, 'M7/001', `Material ${materialId} does not exist`);
  if (!Number.isFinite(quantity) || quantity <= 0) throw new SapError(400, 'M7/017', 'quantity: a positive number is required');
  const received = { ...material, stock: material.stock + quantity };
  store.materials.put(material.material, received);
  return received;
}

/** Bills a delivery: one billing document (F2) with its sales order's prices. */
export function createBillingDocument(store: SapStore, events: SapEvents, deliveryDocument: string, taxRate = 0): SapRecord {
  const delivery = store.get(DELIVERY, { DeliveryDocument: deliveryDocument });
  if (delivery === undefined) throw new SapError(404, 'VF/013', `Delivery ${deliveryDocument} does not exist`);
  const items = store.children(DELIVERY, 'to_DeliveryDocumentItem', delivery.values);
  const salesOrder = String(items[0]?.values['ReferenceSDDocument'] ?? '');
  const order = store.get(HEADER, { SalesOrder: salesOrder });
  if (order === undefined) throw new SapError(400, 'VF/013', `Delivery ${deliveryDocument} has no sales order to bill`);
  if (order.values['OverallOrdReltdBillgStatus'] === 'C') throw new SapError(400, 'VF/017', `Sales order ${salesOrder} is already billed`);
  const id = store.next('BillingDocument', 90_000_000);
  const orderItems = store.children(HEADER, 'to_Item', order.values);
  let net = 0;
  items.forEach((item, i) => {
    const source = orderItems.find((o) => o.values['SalesOrderItem'] === item.values['ReferenceSDDocumentItem']);
    const amount = Number(source?.values['NetAmount'] ?? 0);
    net += amount;
    store.put(BILLING_ITEM, {
      BillingDocument: id, BillingDocumentItem: String((i + 1) * 10), Material: item.values['Material'] ?? null, BillingQuantity: item.values['ActualDeliveryQuantity'] ?? null,
      BillingQuantityUnit: item.values['DeliveryQuantityUnit'] ?? null, TransactionCurrency: order.values['TransactionCurrency'] ?? null, NetAmount: String(amount),
      ReferenceSDDocument: deliveryDocument, ReferenceSDDocumentItem: item.values['DeliveryDocumentItem'] ?? null, SalesDocument: salesOrder, SalesDocumentItem: item.values['ReferenceSDDocumentItem'] ?? null,
    });
  });
  const tax = Math.round(net * taxRate * 100) / 100;
  const billing = store.put(BILLING, {
    BillingDocument: id, BillingDocumentType: 'F2', SDDocumentCategory: 'M', SalesOrganization: order.values['SalesOrganization'] ?? null, DistributionChannel: order.values['DistributionChannel'] ?? null,
    Division: order.values['OrganizationDivision'] ?? null, SoldToParty: order.values['SoldToParty'] ?? null, PayerParty: order.values['SoldToParty'] ?? null, TransactionCurrency: order.values['TransactionCurrency'] ?? null,
    AccountingPostingStatus: 'C', OverallBillingStatus: 'C', AccountingDocument: id, CustomerPaymentTerms: order.values['CustomerPaymentTerms'] ?? null, InvoiceClearingStatus: 'A',
    BillingDocumentDate: today(), CreationDate: today(), LastChangeDateTime: new Date().toISOString(),
    TotalNetAmount: String(net), TotalTaxAmount: String(tax), TotalGrossAmount: String(Math.round((net + tax) * 100) / 100), BillingDocumentIsCancelled: false,
  });
  store.put(HEADER, { ...order.values, OverallOrdReltdBillgStatus: 'C', OverallSDProcessStatus: 'C', LastChangeDateTime: new Date().toISOString() });
  events.publish('billingDocument', 'Created', id);
  return billing;
}

/**
 * Records the customer's payment of a billing document: its receivable is cleared
 * (`InvoiceClearingStatus` A → C) and a `BillingDocument.Changed` event goes out — how the
 * collections status reaches subscribers. A cancelled or already cleared document is refused.
 */
export function clearBillingDocument(store: SapStore, events: SapEvents, billingDocument: string): SapRecord {
  const doc = store.get(BILLING, { BillingDocument: billingDocument });
  if (doc === undefined) throw new SapError(404, 'VF/013', `Billing document ${billingDocument} does not exist`);
  if (doc.values['BillingDocumentIsCancelled'] === true) throw new SapError(400, 'F5/151', `Billing document ${billingDocument} is cancelled`);
  if (doc.values['InvoiceClearingStatus'] === 'C') throw new SapError(400, 'F5/263', `Billing document ${billingDocument} is already cleared`);
  const cleared = store.put(BILLING, { ...doc.values, InvoiceClearingStatus: 'C', LastChangeDateTime: new Date().toISOString() });
  events.publish('billingDocument', 'Changed', billingDocument);
  return cleared;
}

/** Cancels a billing document. */
export function cancelBillingDocument(store: SapStore, events: SapEvents, billingDocument: string): SapRecord {
  const doc = store.get(BILLING, { BillingDocument: billingDocument });
  if (doc === undefined) throw new SapError(404, 'VF/013', `Billing document ${billingDocument} does not exist`);
  const cancelled = store.put(BILLING, { ...doc.values, BillingDocumentIsCancelled: true, LastChangeDateTime: new Date().toISOString() });
  events.publish('billingDocument', 'Cancelled', billingDocument);
  return cancelled;
}
