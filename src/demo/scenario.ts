/**
 * The demo scenario, played against a running Interlock and its sandboxes the way people and
 * vendors would: a salesperson closes four deals in Salesforce; Change Data Capture starts
 * lead-to-order for each; one waits for a discount approval (given by the demo), one fails
 * validation and is fixed by the salesperson, one customer's card is declined; Stripe bills and
 * its webhooks feed billing status back; a subscription renews. The scenario prints each change
 * of where a deal stands as it happens, then checks every system holds what it should.
 */
import { InterlockError } from '../core/errors.ts';
import { findCustomerByMetadata } from '../connectors/stripe/actions/find-customer.ts';
import type { RunOperations } from '../engine/flows/operations.ts';
import { APPROVAL } from '../engine/flows/waits.ts';
import type { LeadToOrderDeps } from '../flows/lead-to-order/deps.ts';
import { LEAD_TO_ORDER_FLOW } from '../flows/lead-to-order/flow.ts';
import { alignBillingTerms, closeWon, createDeal, DEMO_DEALS } from './deals.ts';
import type { DemoDeal } from './deals.ts';
import { describeStanding, readStandings } from './standings.ts';
import type { DealStanding } from './standings.ts';
import { checkStandings } from './verify.ts';

/** What the scenario works with. */
export interface ScenarioContext {
  systems: LeadToOrderDeps;
  runs: RunOperations;
  /** Counts the dead letters (anything parked is a failure of the demo). */
  deadLetters: () => Promise<number>;
  /** Advances a Stripe subscription to its next period (the sandbox's clock). */
  renew: (subscriptionId: string) => Promise<void>;
  /** Where the story is told, one line per call. */
  print: (line: string) => void;
  /** Longest wait for the systems to settle at each stage. @default 60000 */
  settleMs?: number;
  /** Called after each look at the systems (tests use it to crash the worker mid-flow). */
  onTick?: (standings: ReadonlyMap<string, DealStanding>) => Promise<void>;
}

/** A deal as made in this run. */
export interface PlayedDeal {
  deal: DemoDeal;
  id: string;
  name: string;
  accountId: string;
}

/** How the scenario ended. */
export interface ScenarioResult {
  deals: PlayedDeal[];
  standings: Map<string, DealStanding>;
  /** Empty when every system holds what it should. */
  problems: string[];
  elapsedMs: number;
}

/** Plays the scenario; never throws for a wrong outcome (see `problems`), only for a broken set-up. */
export async function playScenario(ctx: ScenarioContext): Promise<ScenarioResult> {
  const started = Date.now();
  const stamp = () => `${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s`;
  const say = (line: string) => ctx.print(`${stamp()}  ${line}`);
  const { salesforce: sf } = ctx.systems;
  const suffix = new Date().toISOString().slice(0, 19).replace('T', ' ');

  say('A salesperson prepares four deals in Salesforce:');
  const deals: PlayedDeal[] = [];
  for (const deal of DEMO_DEALS) {
    const made = await createDeal(sf, deal, suffix);
    deals.push({ deal, ...made });
    ctx.print(`          · ${deal.account} — ${deal.title}: ${deal.plot}`);
  }
  const newLogo = deals.find((d) => d.deal.key === 'new-logo');
  if (newLogo !== undefined) await declineCards(ctx.systems, newLogo.accountId, suffix);

  say('…and marks all four Closed Won.');
  for (const d of deals) await closeWon(sf, d.id);

  const last = new Map<string, string>();
  let standings = new Map<string, DealStanding>();
  const watch = async (): Promise<void> => {
    standings = await readStandings(ctx.systems, deals.map((d) => d.id));
    for (const d of deals) {
      const s = standings.get(d.id);
      if (s === undefined) continue;
      const line = describeStanding(s);
      if (last.get(d.id) !== line) say(`${d.deal.account.padEnd(16)} ${line}`);
      last.set(d.id, line);
    }
    await ctx.onTick?.(standings);
  };
  let fixed = false;
  const approved = new Set<number>();
  const booked = await until(ctx, watch, async () => {
    for (const d of deals) {
      const s = standings.get(d.id);
      if (d.deal.key === 'platform' && !fixed && s?.salesforce.status === 'Error') {
        say(`Acme's deal shows the integration error in Salesforce: "${s.salesforce.error ?? ''}"`);
        say('The salesperson bills the seats annually too; the change wakes the waiting run.');
        await alignBillingTerms(sf, d.id);
        fixed = true;
      }
    }
    for (const run of await ctx.runs.list({ flow: LEAD_TO_ORDER_FLOW, status: 'waiting' })) {
      if (run.waitingFor !== APPROVAL || approved.has(run.id) || !deals.some((d) => d.id === run.key)) continue;
      say(`Run ${run.id} waits for a discount approval; the demo approves it as "demo-approver".`);
      await ctx.runs.decide(run.id, { approved: true, by: 'demo-approver', reason: 'auto-approved in the demo' });
      approved.add(run.id);
    }
    return deals.every((d) => billed(standings.get(d.id)));
  });
  if (!booked) say('Not every deal was booked and billed in time; see the check below.');

  const support = deals.find((d) => d.deal.key === 'support');
  const sub = support === undefined ? undefined : standings.get(support.id)?.stripe[0];
  if (support !== undefined && sub !== undefined) {
    say(`A month later Stripe renews Initech's subscription ${sub.id}.`);
    await ctx.renew(sub.id);
    await until(ctx, watch, async () => {
      const s = standings.get(support.id);
      return (s?.stripe[0]?.invoices.length ?? 0) > 1 && s?.salesforce.renewals.length === 1 && billed(s);
    });
  }

  const problems = await checkStandings(ctx, deals, standings);
  return { deals, standings, problems, elapsedMs: Date.now() - started };
}

/** Booked in all three systems, and Salesforce shows the latest invoice's outcome. */
function billed(s: DealStanding | undefined): boolean {
  if (s === undefined || s.salesforce.status !== 'Synced' || s.netsuite.length === 0 || s.stripe.length === 0) return false;
  const invoices = s.stripe[0]?.invoices ?? [];
  return invoices.length > 0 && s.salesforce.billingStatus !== null && invoices.every((i) => i.netsuite !== null);
}

/** Repeats `watch` then `step` until `step` says done or the settle time is up. */
async function until(ctx: ScenarioContext, watch: () => Promise<void>, step: () => Promise<boolean>): Promise<boolean> {
  const deadline = Date.now() + (ctx.settleMs ?? 60_000);
  while (Date.now() < deadline) {
    try {
      await watch();
      if (await step()) return true;
    } catch (err) {
      // The demo watches the systems through the same faults Interlock rides out (a 429, a
      // dropped answer): skip this look and take the next one.
      if (!(err instanceof InterlockError && err.retryable)) throw err;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await watch().catch(() => undefined);
  return false;
}

/**
 * Makes the account's Stripe customer decline every payment: the sandbox's stand-in for a card
 * that Stripe's test mode declines. The customer is made now if lead-to-order has not made it.
 */
async function declineCards(systems: LeadToOrderDeps, accountId: string, suffix: string): Promise<void> {
  const metadata = { metadata: { sandbox_payment_outcome: 'fail' } };
  const found = await findCustomerByMetadata(systems.stripe, 'salesforce_account_id', accountId);
  if (found !== undefined) await systems.stripe.post(`customers/${found.id}`, metadata, `demo-decline-${found.id}-${suffix}`);
  else await systems.stripe.post('customers', { metadata: { sandbox_payment_outcome: 'fail', salesforce_account_id: accountId }, name: 'Umbrella Health' }, `demo-decline-${accountId}-${suffix}`);
}
