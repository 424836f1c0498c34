/**
 * Walks one quote through Interlock's synchronous API the way a partner portal does before the
 * quote becomes an order: look the account up in SAP → check availability → estimate tax →
 * check credit → submit the order with an Idempotency-Key (and, as a portal retrying after a lost
 * answer would, once more with the same key) → poll the status URL until the run ends.
 *
 *   INTERLOCK_URL=http://127.0.0.1:8080 INTERLOCK_API_KEY=<operator key> node examples/partner-portal/walk-quote.ts [--json]
 *
 * The quote is the SAP sandbox's seed customer CUST-1002 (Fabrikam, USD) buying two motors and ten
 * valves; ACCOUNT, PLANT, LEGAL_ENTITY and OPPORTUNITY_ID (the CRM opportunity, a GUID) change it.
 * Exit code 0 when the order was accepted and its run ended `completed`; 2 when a check refused
 * the quote (the reasons are printed); 1 on any other failure.
 */
import { randomUUID } from 'node:crypto';
import { ApiProblem, PortalClient, type Freshness, type OrderLine } from './client.ts';

const env = process.env;
const json = process.argv.includes('--json');
const say = (line: string): void => {
  process.stdout.write(`${line}\n`);
};
const asOf = (f: Freshness): string => (f.stale ? ` (SAP did not answer: a copy ${f.ageSeconds} s old)` : '');

const apiKey = env['INTERLOCK_API_KEY'];
if (apiKey === undefined || apiKey === '') {
  process.stderr.write('INTERLOCK_API_KEY is not set: create an operator key with `npx interlock keys create --role operator --label partner-portal`\n');
  process.exit(1);
}
const api = new PortalClient(env['INTERLOCK_URL'] ?? 'http://127.0.0.1:8080', apiKey);

const quote = {
  opportunityId: env['OPPORTUNITY_ID'] ?? randomUUID(),
  accountNumber: env['ACCOUNT'] ?? 'CUST-1002',
  currency: 'USD',
  plant: env['PLANT'] ?? '1710',
  salesArea: '1710/10/00',
  legalEntity: env['LEGAL_ENTITY'] ?? 'Interlock US Inc',
  shipTo: { line1: '4000 Assembly Ave', city: 'Detroit', region: 'MI', postalCode: '48201', country: 'US' },
  lines: [
    { material: 'MOTOR-E15', quantity: 2, unitPrice: 2650 },
    { material: 'VALVE-BV50', quantity: 10, unitPrice: 310 },
  ] satisfies OrderLine[],
};
const total = quote.lines.reduce((sum, l) => sum + l.quantity * l.unitPrice, 0);

/** Stops the walk: the quote cannot become an order as it stands. */
function refuse(step: string, reasons: readonly string[]): never {
  say(`✗ ${step}:`);
  for (const r of reasons) say(`    · ${r}`);
  if (json) say(JSON.stringify({ ok: false, step, reasons }));
  process.exit(2);
}

try {
  const account = await api.lookupAccount(quote.accountNumber, { salesArea: quote.salesArea, currency: quote.currency });
  const p = account.partner;
  say(`1. Account ${quote.accountNumber} → SAP business partner ${p.businessPartner} ${p.name} (customer ${p.customer ?? 'none'}, ${p.salesAreas.map((a) => `${a.salesOrganization}/${a.distributionChannel}/${a.division} in ${a.currency}`).join(', ')})${asOf(account)}`);
  if (!account.valid) refuse('the account cannot take this order', account.problems);

  const atp = await api.availability(quote.plant, quote.lines);
  say(`2. Availability at plant ${quote.plant}: ${atp.lines.map((l) => `${l.material} ${l.quantity} of ${l.availableQuantity ?? '?'} ${l.unit ?? ''} ${l.sufficient ? '✓' : '✗'}`).join(', ')}${asOf(atp)}`);
  if (!atp.available) refuse('not everything can be promised', atp.lines.flatMap((l) => (l.problem === undefined ? [] : [l.problem])));

  const tax = await api.taxEstimate({
    legalEntity: quote.legalEntity,
    currency: quote.currency,
    customerCode: quote.accountNumber,
    shipTo: quote.shipTo,
    lines: quote.lines.map((l) => ({ sku: l.material, quantity: l.quantity, amount: l.quantity * l.unitPrice })),
  });
  say(`3. Tax: ${tax.totalTax} ${tax.currency} on ${tax.totalAmount} (${tax.jurisdictions.map((j) => `${j.taxName} ${Math.round(j.rate * 10_000) / 100}%`).join(', ') || 'no jurisdiction taxes it'})`);

  const credit = await api.credit(quote.accountNumber, total);
  say(`4. Credit: ${credit.status}, ${credit.available ?? 'unlimited'} ${credit.currency ?? ''} left; an order of ${total} ${credit.fits ? 'fits' : 'does not fit'}${asOf(credit)}`);
  if (!credit.fits) refuse('the order does not fit the credit left', [`${total} ${quote.currency} asked, ${credit.available ?? 0} left`]);

  // One key per quote: a retry after a lost answer is the same submission, never a second order.
  const key = `quote-${quote.opportunityId}`;
  const order = { opportunityId: quote.opportunityId, accountNumber: quote.accountNumber, currency: quote.currency, plant: quote.plant, salesArea: quote.salesArea, lines: quote.lines };
  const submitted = await api.submitOrder(order, key);
  say(`5. Submitted with Idempotency-Key ${key}: run ${submitted.runId} (${submitted.outcome}), total ${submitted.total} → ${submitted.statusUrl}`);
  const again = await api.submitOrder(order, key);
  say(`   Sent again with the same key: run ${again.runId}${again.runId === submitted.runId ? ', the first answer — no second order' : ' — A SECOND RUN'}`);

  const states: string[] = [];
  const final = await api.waitForOrder(submitted.statusUrl, { onChange: (s) => states.push(s.status + (s.waitingFor === null ? '' : ` (${s.waitingFor})`)) });
  say(`6. Order run ${final.runId}: ${states.join(' → ')}${final.error === null ? '' : `: ${final.error}`}`);
  const note = (final.result as { note?: unknown } | null)?.note;
  if (typeof note === 'string') say(`   ${note}`);
  if (json) say(JSON.stringify({ ok: final.status === 'completed', runId: submitted.runId, retriedRunId: again.runId, status: final.status, result: final.result, total, tax: tax.totalTax }));
  process.exit(final.status === 'completed' ? 0 : 1);
} catch (err) {
  if (err instanceof ApiProblem && err.status === 422 && Array.isArray(err.body['problems'])) refuse(err.message, err.body['problems'] as string[]);
  if (err instanceof ApiProblem && err.slug === 'downstream-unavailable') {
    // An order is only accepted on what SAP says now: try again later, with the same Idempotency-Key.
    say(`✗ ${String(err.body['downstream'] ?? 'a system')} did not answer in time, and no order is taken on an old copy: nothing was submitted; try again later.`);
    if (json) say(JSON.stringify({ ok: false, error: err.message }));
    process.exit(1);
  }
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  if (json) say(JSON.stringify({ ok: false, error: err instanceof Error ? err.message : String(err) }));
  process.exit(1);
}
