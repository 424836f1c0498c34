/**
 * Pricing check: proposed lines against the Salesforce price book (the standard one unless a
 * price book is named) — each SKU must be in the book in the deal's currency, and sell at or below
 * its list price, the ceiling lead-to-order enforces too; a discount above the approval threshold
 * is flagged, because booking would then wait for an approver.
 */
import { queryRecords } from '../../connectors/salesforce/actions/query-records.ts';
import { recordId, soqlString } from '../../connectors/salesforce/actions/soql.ts';
import type { LeadToOrderDeps } from '../../flows/lead-to-order/deps.ts';
import { Budget, fetchWithFallback } from './downstream.ts';
import { POLICIES } from './policies.ts';
import type { SyncContext } from './sync-context.ts';

/** A line to price. */
export interface PricingLine {
  sku: string;
  quantity: number;
  unitPrice: number;
}

/** A price book entry as kept (and as the last-known copy holds it). */
interface Entry {
  sku: string;
  name: string | null;
  listPrice: number;
  currency: string;
  recurring: boolean;
}

/** One line's verdict. */
export interface PricedLine extends PricingLine {
  ok: boolean;
  listPrice: number | null;
  discountPercent: number | null;
  recurring: boolean | null;
  problem?: string;
}

/** What a pricing check answers. */
export interface PricingCheck {
  valid: boolean;
  currency: string;
  priceBook: string;
  lines: PricedLine[];
  total: number;
  maxDiscountPercent: number;
  needsApproval: boolean;
  stale: boolean;
  ageSeconds: number;
  ageMs: number;
  staleReason?: string;
}

/** Checks `lines` against the price book. */
export async function checkPricing(
  ctx: SyncContext,
  systems: LeadToOrderDeps,
  input: { currency: string; priceBookId?: string | undefined; lines: readonly PricingLine[] },
): Promise<PricingCheck> {
  const { budgetMs, downstream } = POLICIES['pricing-check'];
  const book = input.priceBookId === undefined ? undefined : recordId(input.priceBookId, 'price book id');
  const key = `${book ?? 'standard'}:${input.currency}`;
  const fetched = await fetchWithFallback(ctx, downstream.priceBook, new Budget(ctx.clock, budgetMs), key, async () => {
    const where = book === undefined ? 'Pricebook2.IsStandard = true' : `Pricebook2Id = ${soqlString(book)}`;
    const soql = `SELECT UnitPrice, CurrencyIsoCode, Product2.ProductCode, Product2.Name, Product2.Recurring__c FROM PricebookEntry WHERE IsActive = true AND ${where} AND CurrencyIsoCode = ${soqlString(input.currency)}`;
    const entries: Entry[] = [];
    for await (const r of queryRecords<{ UnitPrice: number; CurrencyIsoCode: string; Product2: { ProductCode?: string | null; Name?: string | null; Recurring__c?: boolean | null } | null }>(systems.salesforce, { soql })) {
      const sku = r.Product2?.ProductCode;
      if (typeof sku === 'string' && sku !== '') entries.push({ sku, name: r.Product2?.Name ?? null, listPrice: Number(r.UnitPrice), currency: r.CurrencyIsoCode, recurring: r.Product2?.Recurring__c === true });
    }
    return entries;
  });
  const bySku = new Map(fetched.value.map((e) => [e.sku, e]));
  const lines = input.lines.map((line): PricedLine => {
    const entry = bySku.get(line.sku);
    if (entry === undefined) {
      return { ...line, ok: false, listPrice: null, discountPercent: null, recurring: null, problem: `SKU ${line.sku} is not in the price book in ${input.currency}.` };
    }
    const discountPercent = entry.listPrice > 0 ? Math.round(((entry.listPrice - line.unitPrice) / entry.listPrice) * 10_000) / 100 : 0;
    const above = line.unitPrice > entry.listPrice;
    return {
      ...line,
      ok: !above,
      listPrice: entry.listPrice,
      discountPercent,
      recurring: entry.recurring,
      ...(above ? { problem: `SKU ${line.sku} sells at ${line.unitPrice}, above its list price ${entry.listPrice}: price-book prices are the ceiling.` } : {}),
    };
  });
  const maxDiscountPercent = Math.max(0, ...lines.map((l) => l.discountPercent ?? 0));
  return {
    valid: lines.every((l) => l.ok),
    currency: input.currency,
    priceBook: book ?? 'standard',
    lines,
    total: Math.round(lines.reduce((sum, l) => sum + l.unitPrice * l.quantity, 0) * 100) / 100,
    maxDiscountPercent,
    needsApproval: maxDiscountPercent > systems.config.discountApprovalThresholdPercent,
    stale: fetched.freshness.stale,
    ageSeconds: fetched.freshness.ageSeconds,
    ageMs: fetched.freshness.ageMs,
    ...(fetched.freshness.reason === undefined ? {} : { staleReason: fetched.freshness.reason }),
  };
}
