/**
 * The read-only views computed from the documents: credit exposure and credit limit per business
 * partner and credit segment (the `API_CREDIT_MANAGEMENT` shape: `A_CrdtMgmtCreditExposure`,
 * `A_CrdtMgmtCreditLimit`), and product availability (`DetermineAvailabilityAt` of
 * `API_PRODUCT_AVAILY_INFO_BASIC`): plant stock less what open orders and unshipped deliveries
 * already claim.
 */
import { badRequest, SapError } from './errors.ts';
import { parseLiteral } from './odata/values.ts';
import { setByName } from './schema.ts';
import type { SapRecord, SapStore } from './store.ts';

const r2 = (n: number): string => String(Math.round(n * 100) / 100);

interface Exposure {
  orders: number;
  deliveries: number;
  billed: number;
}

function exposureOf(store: SapStore, partner: string): Exposure {
  const exposure = { orders: 0, deliveries: 0, billed: 0 };
  for (const order of store.list(setByName('A_SalesOrder'))) {
    if (order.values['SoldToParty'] !== partner) continue;
    const amount = Number(order.values['TotalNetAmount'] ?? 0);
    if (order.values['OverallOrdReltdBillgStatus'] === 'C') continue;
    if (order.values['OverallTotalDeliveryStatus'] === 'C') exposure.deliveries += amount;
    else exposure.orders += amount;
  }
  for (const doc of store.list(setByName('A_BillingDocument'))) {
    // A cleared (paid) invoice is no longer an open item.
    if (doc.values['SoldToParty'] === partner && doc.values['BillingDocumentIsCancelled'] !== true && doc.values['InvoiceClearingStatus'] !== 'C') exposure.billed += Number(doc.values['TotalGrossAmount'] ?? 0);
  }
  return exposure;
}

/** The records of a computed credit set, now. */
export function creditRecords(store: SapStore, set: 'A_CrdtMgmtCreditExposure' | 'A_CrdtMgmtCreditLimit'): SapRecord[] {
  const changedAt = new Date().toISOString();
  return store.credit.list().map((account) => {
    const e = exposureOf(store, account.businessPartner);
    const total = e.orders + e.deliveries + e.billed + Number(account.openItems);
    const values: SapRecord['values'] =
      set === 'A_CrdtMgmtCreditExposure'
        ? { BusinessPartner: account.businessPartner, CreditSegment: account.segment, CreditExposureCurrency: account.currency, CreditExposureAmount: r2(total), OpenOrderValue: r2(e.orders), OpenDeliveryValue: r2(e.deliveries), OpenBillingDocValue: '0', OpenItemValue: r2(e.billed + Number(account.openItems)) }
        : { BusinessPartner: account.businessPartner, CreditSegment: account.segment, CreditLimitAmountCurrency: account.currency, CreditLimitAmount: account.limit, CreditLimitValidityEndDate: '9999-12-31', CreditLimitIsExceeded: total > Number(account.limit) };
    return { values, changedAt };
  });
}

/** Quantity of `material` already claimed by open orders and deliveries not yet issued. */
function claimed(store: SapStore, material: string): number {
  let quantity = 0;
  const header = setByName('A_SalesOrder');
  for (const order of store.list(header)) {
    if (order.values['OverallTotalDeliveryStatus'] === 'C') continue;
    for (const item of store.children(header, 'to_Item', order.values)) if (item.values['Material'] === material) quantity += Number(item.values['RequestedQuantity'] ?? 0);
  }
  const delivery = setByName('A_OutbDeliveryHeader');
  for (const d of store.list(delivery)) {
    if (d.values['OverallGoodsMovementStatus'] === 'C') continue;
    for (const item of store.children(delivery, 'to_DeliveryDocumentItem', d.values)) if (item.values['Material'] === material) quantity += Number(item.values['ActualDeliveryQuantity'] ?? 0);
  }
  return quantity;
}

/** `GET …/DetermineAvailabilityAt?SupplyingPlant='1710'&Material='…'&ATPCheckingRule='A'&RequestedUTCDateTime=datetimeoffset'…'`. */
export function determineAvailabilityAt(store: SapStore, query: URLSearchParams): Record<string, unknown> {
  const param = (name: string): string => {
    const raw = query.get(name);
    if (raw === null) throw badRequest(`Function import parameter '${name}' is missing`, name);
    return String(parseLiteral(raw));
  };
  const plant = param('SupplyingPlant');
  const materialId = param('Material');
  param('ATPCheckingRule');
  const requested = query.get('RequestedUTCDateTime');
  const at = requested === null ? Date.now() : Number(parseLiteral(requested));
  const material = store.materials.get(materialId);
  if (material === undefined || material.plant !== plant) throw new SapError(400, 'ATP_API/001', `Material ${materialId} is not maintained in plant ${plant}`, { target: 'Material' });
  const available = Math.max(0, material.stock - claimed(store, materialId));
  return {
    d: {
      results: [{
        __metadata: { type: 'API_PRODUCT_AVAILY_INFO_BASIC.AvailabilityRecord' },
        PeriodStartUTCDateTime: `/Date(${at})/`,
        PeriodEndUTCDateTime: '/Date(253402214400000)/',
        AvailableQuantityInBaseUnit: String(available),
        BaseUnit: material.unit,
      }],
    },
  };
}
