/**
 * A customer's credit position in a credit segment: exposure (open orders, deliveries, billing
 * documents and receivables) against the credit limit, from the credit management service
 * (`A_CrdtMgmtCreditExposure`, `A_CrdtMgmtCreditLimit`). A near-real-time check before an order.
 */
import type { SapClient } from '../client.ts';
import { entity, entityPath } from '../odata.ts';

/** The service of the credit views. */
export const CREDIT_SERVICE = 'API_CREDIT_MANAGEMENT';

/** A credit position. */
export interface CreditPosition {
  businessPartner: string;
  segment: string;
  currency: string;
  limit: number;
  exposure: number;
  openOrders: number;
  /** limit − exposure (negative when exceeded). */
  available: number;
  exceeded: boolean;
}

/** Reads exposure and limit. */
export async function creditExposure(client: SapClient, businessPartner: string, segment = '1000'): Promise<CreditPosition> {
  const key = { BusinessPartner: businessPartner, CreditSegment: segment };
  const [exposureRes, limitRes] = await Promise.all([client.get(CREDIT_SERVICE, entityPath('A_CrdtMgmtCreditExposure', key)), client.get(CREDIT_SERVICE, entityPath('A_CrdtMgmtCreditLimit', key))]);
  const e = entity<Record<string, string>>(exposureRes.body);
  const l = entity<Record<string, unknown>>(limitRes.body);
  const exposure = Number(e['CreditExposureAmount'] ?? 0);
  const limit = Number(l['CreditLimitAmount'] ?? 0);
  return {
    businessPartner, segment, currency: String(l['CreditLimitAmountCurrency'] ?? e['CreditExposureCurrency'] ?? ''), limit, exposure,
    openOrders: Number(e['OpenOrderValue'] ?? 0), available: Math.round((limit - exposure) * 100) / 100, exceeded: exposure > limit,
  };
}
