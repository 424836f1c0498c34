/**
 * The two steps that keep a feedback flow from applying an old Stripe event over a newer one:
 * `check-stale` (journaled, so a replay decides the same) compares the event's version with the
 * last one applied to the same object; `record-version` records it once the event's effects are
 * done. A stale event ends the run with status `skipped`, reason `stale`, and the step result
 * says why — visible in the run's timeline.
 */
import { parseStripeEvent } from '../../connectors/stripe/triggers/webhook.ts';
import type { StripeInvoiceEvent, StripeSubscriptionEvent, StripeWebhookEvent } from '../../connectors/stripe/triggers/webhook.ts';
import { eventVersion, isStale } from '../../connectors/stripe/triggers/staleness.ts';
import { validationError } from '../../core/errors.ts';
import type { FlowContext } from '../define-flow.ts';
import type { AppliedVersion, AppliedVersions } from './applied-versions.ts';

/** What `check-stale` decided. */
export interface StaleCheck {
  stale: boolean;
  version: AppliedVersion;
  lastApplied: AppliedVersion | null;
  /** `skipped: stale — …` when stale. */
  note: string | null;
}

/** The output of a run whose event was stale. */
export interface SkippedStale {
  status: 'skipped';
  reason: 'stale';
  eventId: string;
  objectId: string;
  note: string;
}

/** The run's input (a Stripe event body) as a typed event of `kind`; anything else fails the run. */
export function stripeEventOf<K extends 'invoice' | 'subscription'>(input: unknown, kind: K): Extract<StripeWebhookEvent, { kind: K }> {
  const event = parseStripeEvent(JSON.stringify(input ?? null));
  if (event.kind !== kind) throw validationError(`expected a Stripe ${kind} event, got "${event.type}"`);
  return event as Extract<StripeWebhookEvent, { kind: K }>;
}

/** Step `check-stale`: is this event older than what was applied to its object? */
export function checkStale(ctx: FlowContext<unknown>, versions: AppliedVersions, event: StripeInvoiceEvent | StripeSubscriptionEvent): Promise<StaleCheck> {
  return ctx.step.run('check-stale', async () => {
    const version: AppliedVersion = { ...eventVersion(event), eventId: event.id };
    const last = (await versions.get(version.objectId)) ?? null;
    const stale = last !== null && isStale(version, last);
    const note = stale ? `skipped: stale — ${event.type} ${event.id} is older than ${last.eventId}, already applied to ${version.objectId}` : null;
    return { stale, version, lastApplied: last, note };
  });
}

/** Step `record-version`: the event's effects are done; its version is the object's now (unless a newer one is). */
export async function recordApplied(ctx: FlowContext<unknown>, versions: AppliedVersions, check: StaleCheck): Promise<void> {
  await ctx.step.run('record-version', () => versions.advance(check.version));
}

/** The run output for a stale event. */
export function skippedStale(check: StaleCheck): SkippedStale {
  return { status: 'skipped', reason: 'stale', eventId: check.version.eventId, objectId: check.version.objectId, note: check.note ?? 'skipped: stale' };
}

/** `YYYY-MM-DD` of a Unix time in seconds (UTC). */
export function isoDate(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString().slice(0, 10);
}
