/**
 * The demo's acceptance check — what the issue promises users: exactly one NetSuite sales order
 * and one Stripe subscription per closed-won deal, every opportunity showing the right status and
 * ids, billing status in Salesforce matching Stripe's latest invoice, the renewal billed, and
 * nothing in dead letters. Also the summary table the demo ends with.
 */
import type { PlayedDeal, ScenarioContext } from './scenario.ts';
import type { DealStanding } from './standings.ts';

/** Every way the systems differ from what the scenario should have produced. */
export async function checkStandings(ctx: Pick<ScenarioContext, 'deadLetters'>, deals: readonly PlayedDeal[], standings: ReadonlyMap<string, DealStanding>): Promise<string[]> {
  const problems: string[] = [];
  for (const d of deals) {
    const s = standings.get(d.id);
    const who = d.deal.account;
    if (s === undefined) {
      problems.push(`${who}: the opportunity is gone from Salesforce`);
      continue;
    }
    const sf = s.salesforce;
    if (s.netsuite.length !== 1) problems.push(`${who}: NetSuite holds ${s.netsuite.length} sales orders for the deal, not 1`);
    if (s.stripe.length !== 1) problems.push(`${who}: Stripe holds ${s.stripe.length} subscriptions for the deal, not 1`);
    if (sf.status !== 'Synced') problems.push(`${who}: Salesforce shows "${sf.status ?? 'no status'}"${sf.error === null ? '' : ` (${sf.error})`}, not Synced`);
    const order = s.netsuite[0];
    if (order !== undefined && sf.orderNumber !== order.tranid) problems.push(`${who}: Salesforce shows order ${sf.orderNumber ?? 'none'}, NetSuite ${order.tranid}`);
    const sub = s.stripe[0];
    if (sub !== undefined && sf.subscriptionId !== sub.id) problems.push(`${who}: Salesforce shows subscription ${sf.subscriptionId ?? 'none'}, Stripe ${sub.id}`);
    const latest = sub?.invoices[0];
    const declined = d.deal.key === 'new-logo';
    if (latest === undefined) problems.push(`${who}: Stripe has no invoice for the subscription`);
    else if (declined === (latest.status === 'paid')) problems.push(`${who}: Stripe's latest invoice is ${latest.status}, expected ${declined ? 'unpaid (card declined)' : 'paid'}`);
    else if (!billingMatches(sf.billingStatus, latest.status)) problems.push(`${who}: Salesforce billing status "${sf.billingStatus ?? 'none'}" does not match Stripe's ${latest.status} invoice`);
    for (const inv of sub?.invoices ?? []) {
      const expected = inv.status === 'paid' ? 'Paid In Full' : 'Open';
      if (inv.netsuite !== expected) problems.push(`${who}: Stripe invoice ${inv.id} is ${inv.status}, its NetSuite invoice ${inv.netsuite === null ? 'is missing' : `is ${inv.netsuite}`} (expected ${expected})`);
    }
    if (d.deal.key === 'support') {
      if ((sub?.invoices.length ?? 0) < 2) problems.push(`${who}: the renewal was not billed (${sub?.invoices.length ?? 0} invoice)`);
      if (sf.renewals.length !== 1) problems.push(`${who}: Salesforce holds ${sf.renewals.length} renewal opportunities, not 1`);
    } else if (sf.renewals.length !== 0) {
      problems.push(`${who}: Salesforce holds ${sf.renewals.length} renewal opportunities for a deal that did not renew`);
    }
  }
  const parked = await ctx.deadLetters();
  if (parked > 0) problems.push(`${parked} dead letter(s): see \`npx interlock dlq list\``);
  return problems;
}

/** Salesforce's billing status says what the invoice's status says. */
function billingMatches(billingStatus: string | null, invoiceStatus: string): boolean {
  if (billingStatus === null) return false;
  return invoiceStatus === 'paid' ? /paid/i.test(billingStatus) && !/fail|unpaid/i.test(billingStatus) : /fail|past|unpaid|overdue/i.test(billingStatus);
}

/** The closing table: one row per deal, one column per system. */
export function summaryTable(deals: readonly PlayedDeal[], standings: ReadonlyMap<string, DealStanding>): string {
  const rows = [['Deal', 'Salesforce', 'NetSuite order', 'Stripe subscription', 'Invoices (Stripe / NetSuite)', 'Billing status', 'Renewals']];
  for (const d of deals) {
    const s = standings.get(d.id);
    const sub = s?.stripe[0];
    rows.push([
      `${d.deal.account} — ${d.deal.title}`,
      s?.salesforce.status ?? '—',
      s?.netsuite.map((o) => o.tranid).join(', ') || '—',
      sub === undefined ? '—' : `${sub.id} (${sub.status})`,
      sub?.invoices.map((i) => `${i.status} / ${i.netsuite ?? '—'}`).join(', ') || '—',
      s?.salesforce.billingStatus ?? '—',
      String(s?.salesforce.renewals.length ?? 0),
    ]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => `  ${r.map((c, i) => c.padEnd(widths[i]!)).join('  │  ')}`;
  const rule = `  ${widths.map((w) => '─'.repeat(w)).join('──┼──')}`;
  return [line(rows[0]!), rule, ...rows.slice(1).map(line)].join('\n');
}
