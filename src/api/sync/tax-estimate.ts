/**
 * Tax estimate: an AvaTax `SalesOrder` (calculated, never saved) from the legal entity's
 * ship-from address to the buyer. A refusal by AvaTax (unknown address, tax code) is the caller's
 * to fix and answers 422 with AvaTax's reason; an outage answers 503 — a tax figure is never
 * served from an old copy.
 */
import { estimateTax } from '../../connectors/avalara/actions/estimate-tax.ts';
import type { AvalaraClient } from '../../connectors/avalara/client.ts';
import type { TaxAddress, TaxLine } from '../../connectors/avalara/types.ts';
import { InterlockError, validationError } from '../../core/errors.ts';
import { Budget, fetchWithFallback } from './downstream.ts';
import { POLICIES } from './policies.ts';
import type { SyncContext } from './sync-context.ts';

/** What to estimate. */
export interface TaxEstimateInput {
  legalEntity: string;
  currency: string;
  shipTo: TaxAddress;
  customerCode?: string | undefined;
  date?: string | undefined;
  lines: ReadonlyArray<{ number?: string | undefined; sku?: string | undefined; amount: number; quantity?: number | undefined; taxCode?: string | undefined }>;
}

/** What an estimate calls: AvaTax, and where each legal entity ships from (either story's). */
export interface TaxSystems {
  avalara: AvalaraClient;
  config: { shipFrom: Readonly<Record<string, TaxAddress>> };
}

/** Tax of one jurisdiction over the whole document. */
export interface JurisdictionTax {
  name: string;
  /** AvaTax's jurisdiction type: CNT, STA, CTY, CIT, STJ. */
  type: string;
  taxName: string;
  rate: number;
  tax: number;
}

/** The estimate. */
export interface TaxEstimate {
  totalAmount: number;
  totalTax: number;
  currency: string;
  lines: Array<{ number: string; tax: number; taxableAmount: number }>;
  /** The jurisdictions that tax the document (the tax jurisdiction check of a quote). */
  jurisdictions: JurisdictionTax[];
}

/** Asks AvaTax for the tax of `input`. */
export async function estimate(ctx: SyncContext, systems: TaxSystems, input: TaxEstimateInput): Promise<TaxEstimate> {
  const shipFrom = systems.config.shipFrom[input.legalEntity];
  if (shipFrom === undefined) {
    throw validationError(`legalEntity "${input.legalEntity}" has no ship-from address: use one of ${Object.keys(systems.config.shipFrom).join(', ')}`, {
      status: 422,
      type: 'unknown-legal-entity',
      details: { field: 'legalEntity' },
    });
  }
  const lines: TaxLine[] = input.lines.map((l, i) => ({
    number: l.number ?? String(i + 1),
    amount: l.amount,
    quantity: l.quantity ?? 1,
    ...(l.taxCode === undefined ? {} : { taxCode: l.taxCode }),
    ...(l.sku === undefined ? {} : { itemCode: l.sku }),
  }));
  const doc = {
    customerCode: input.customerCode ?? 'interlock-estimate',
    date: input.date ?? new Date(ctx.clock.now()).toISOString().slice(0, 10),
    currency: input.currency,
    shipFrom,
    shipTo: input.shipTo,
    lines,
  };
  const { budgetMs, downstream } = POLICIES['tax-estimate'];
  try {
    const { value } = await fetchWithFallback(ctx, downstream.tax, new Budget(ctx.clock, budgetMs), '', () => estimateTax(systems.avalara, doc));
    return {
      totalAmount: value.totalAmount,
      totalTax: value.totalTax,
      currency: value.currencyCode,
      lines: value.lines.map((l) => ({ number: l.lineNumber, tax: l.tax, taxableAmount: l.taxableAmount })),
      jurisdictions: jurisdictionsOf(value.lines),
    };
  } catch (err) {
    throw asTaxRefusal(err);
  }
}

/** AvaTax refusing the document is the caller's to fix: 422 with AvaTax's reason, not its HTTP plumbing. */
export function asTaxRefusal(err: unknown): unknown {
  if (!(err instanceof InterlockError) || (err.code !== 'validation' && err.code !== 'permanent')) return err;
  const reason = err.message.replace(/^Avalara \S+ \S+ answered \d+: /, '');
  return validationError(`AvaTax could not calculate tax: ${reason}`, { status: 422, type: 'tax-refused' });
}

/** The lines' jurisdiction details summed per jurisdiction and tax, in AvaTax's order. */
function jurisdictionsOf(lines: ReadonlyArray<{ details?: ReadonlyArray<{ jurisName: string; jurisType: string; taxName: string; rate: number; tax: number }> }>): JurisdictionTax[] {
  const byKey = new Map<string, JurisdictionTax>();
  for (const line of lines) {
    for (const d of line.details ?? []) {
      const key = `${d.jurisType}\u0000${d.jurisName}\u0000${d.taxName}`;
      const seen = byKey.get(key);
      if (seen === undefined) byKey.set(key, { name: d.jurisName, type: d.jurisType, taxName: d.taxName, rate: d.rate, tax: d.tax });
      else seen.tax = Math.round((seen.tax + d.tax) * 100) / 100;
    }
  }
  return [...byKey.values()];
}
