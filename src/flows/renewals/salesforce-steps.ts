/**
 * The Salesforce half of renewals and amendments: a renewal opportunity per subscription period
 * and an amendment opportunity per change, each upserted by an external id made from the
 * subscription and what changed (so a repeated event updates the one it made), both linked to
 * the original deal (`Renewal_Of__c`); and the subscription's status on the original deal.
 *
 * The opportunities are made Closed Won and `Integration_Status__c = Synced`: billing has
 * happened in Stripe, and lead-to-order, which a closed-won opportunity triggers, must see them
 * as booked and leave them alone.
 */
import { createHash } from 'node:crypto';
import { getRecord } from '../../connectors/salesforce/actions/get-record.ts';
import { updateRecords } from '../../connectors/salesforce/actions/update-records.ts';
import { upsertRecord } from '../../connectors/salesforce/actions/upsert-record.ts';
import type { SalesforceClient } from '../../connectors/salesforce/client.ts';
import { InterlockError } from '../../core/errors.ts';
import { isoDate } from '../stripe-events/stale-guard.ts';
import type { Amendment, ItemTerms, Renewal } from './change.ts';
import { periodAmount } from './change.ts';

/** The original deal, as the renewal and amendment opportunities copy it. */
export interface OriginalDeal {
  opportunityId: string;
  name: string;
  accountId: string | null;
  netSuiteOrderNumber: string | null;
  stripeCustomerId: string;
  stripeSubscriptionId: string;
}

/** Reads what the new opportunities copy from the original one. */
export async function readOriginalDeal(client: SalesforceClient, opportunityId: string, subscription: { id: string; customer: string }): Promise<OriginalDeal> {
  const o = await getRecord<{ Name: string; AccountId: string | null; NetSuite_Order_Number__c: string | null }>(client, {
    sobject: 'Opportunity',
    id: opportunityId,
    fields: ['Name', 'AccountId', 'NetSuite_Order_Number__c'],
  });
  return { opportunityId, name: o.Name, accountId: o.AccountId ?? null, netSuiteOrderNumber: o.NetSuite_Order_Number__c ?? null, stripeCustomerId: subscription.customer, stripeSubscriptionId: subscription.id };
}

/** The external id of the renewal opportunity of a subscription period. */
export function renewalExternalId(subscriptionId: string, periodStart: number): string {
  return `stripe-renewal:${subscriptionId}:${periodStart}`;
}

/** The external id of an amendment: the subscription, when, and the items it led to. */
export function amendmentExternalId(subscriptionId: string, at: number, after: readonly ItemTerms[]): string {
  const terms = JSON.stringify(after.map((t) => [t.priceId, t.quantity, t.unitAmount]).sort());
  return `stripe-amendment:${subscriptionId}:${at}:${createHash('sha256').update(terms).digest('hex').slice(0, 12)}`;
}

/** Upserts the renewal opportunity for the new period; answers its id. */
export async function upsertRenewal(client: SalesforceClient, deal: OriginalDeal, renewal: Renewal, items: readonly ItemTerms[], status: string): Promise<{ id: string; created: boolean }> {
  const start = isoDate(renewal.periodStart);
  return upsertRecord(client, {
    sobject: 'Opportunity',
    externalIdField: 'External_Id__c',
    externalId: renewalExternalId(deal.stripeSubscriptionId, renewal.periodStart),
    fields: {
      ...common(deal, status),
      Name: `${deal.name} — Renewal ${start}`.slice(0, 120),
      Type: 'Renewal',
      CloseDate: start,
      Amount: periodAmount(items) / 100,
      Description: `Stripe renewed ${deal.stripeSubscriptionId} for ${start} – ${isoDate(renewal.periodEnd)}.`,
    },
  });
}

/** Upserts the amendment opportunity: the change per period as its amount, the lines changed as its description. */
export async function upsertAmendment(client: SalesforceClient, deal: OriginalDeal, amendment: Amendment, at: number, status: string): Promise<{ id: string; created: boolean }> {
  const date = isoDate(at);
  return upsertRecord(client, {
    sobject: 'Opportunity',
    externalIdField: 'External_Id__c',
    externalId: amendmentExternalId(deal.stripeSubscriptionId, at, amendment.after),
    fields: {
      ...common(deal, status),
      Name: `${deal.name} — Amendment ${date}`.slice(0, 120),
      Type: 'Amendment',
      CloseDate: date,
      Amount: (periodAmount(amendment.after) - periodAmount(amendment.before)) / 100,
      Description: describeAmendment(amendment),
    },
  });
}

/** Writes the subscription's status onto the original opportunity. */
export async function reportSubscriptionStatus(client: SalesforceClient, opportunityId: string, status: string): Promise<void> {
  const [result] = await updateRecords(client, { records: [{ sobject: 'Opportunity', id: opportunityId, fields: { Subscription_Status__c: status } }] });
  if (result !== undefined && !result.success) {
    throw new InterlockError(result.code, `Salesforce refused the subscription status of ${opportunityId}: ${result.errorCode} ${result.message}`, { details: { vendor: 'salesforce' } });
  }
}

/** `PLAT-SUB: 5 → 10 at 100.00` per changed line, one per line. */
export function describeAmendment(amendment: Amendment): string {
  const key = (t: ItemTerms) => t.sku ?? t.priceId;
  const before = new Map(amendment.before.map((t) => [key(t), t]));
  const after = new Map(amendment.after.map((t) => [key(t), t]));
  const lines: string[] = [];
  for (const [k, t] of after) {
    const old = before.get(k);
    if (old === undefined) lines.push(`${k}: added ${t.quantity} at ${(t.unitAmount / 100).toFixed(2)}`);
    else if (old.quantity !== t.quantity || old.unitAmount !== t.unitAmount) {
      lines.push(`${k}: ${old.quantity} → ${t.quantity} at ${(t.unitAmount / 100).toFixed(2)}${old.unitAmount === t.unitAmount ? '' : ` (was ${(old.unitAmount / 100).toFixed(2)})`}`);
    }
  }
  for (const [k, t] of before) if (!after.has(k)) lines.push(`${k}: removed (was ${t.quantity})`);
  return lines.join('\n');
}

function common(deal: OriginalDeal, status: string): Record<string, unknown> {
  return {
    StageName: 'Closed Won',
    AccountId: deal.accountId,
    Renewal_Of__c: deal.opportunityId,
    Stripe_Subscription_Id__c: deal.stripeSubscriptionId,
    Stripe_Customer_Id__c: deal.stripeCustomerId,
    NetSuite_Order_Number__c: deal.netSuiteOrderNumber,
    Subscription_Status__c: status,
    Integration_Status__c: 'Synced',
    Integration_Error__c: null,
  };
}
