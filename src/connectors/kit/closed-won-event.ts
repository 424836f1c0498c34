/**
 * The `opportunity.closed-won` event every CRM trigger emits (Salesforce CDC, Dataverse
 * notifications) and lead-to-order starts and resumes on: one body, whatever the CRM, so one flow
 * serves them all.
 */
import type { InboundEvent } from '../../engine/inbox.ts';

/** The event type. */
export const OPPORTUNITY_CLOSED_WON = 'opportunity.closed-won';

/** The body of an `opportunity.closed-won` event. */
export interface ClosedWonEvent {
  id: string;
  type: typeof OPPORTUNITY_CLOSED_WON;
  opportunityId: string;
  /** Why it was emitted: the deal was won, or a person changed a won deal in error (maybe the fix). */
  reason: 'closed-won' | 'changed-while-in-error';
  /** When the change was committed, epoch ms. */
  changedAt: number;
}

/**
 * Collects the events of one batch of CRM changes, one per change and opportunity; the id derives
 * from the change's own id, so a change delivered twice is absorbed by the inbox.
 */
export class ClosedWonBatch {
  readonly #source: string;
  readonly #events = new Map<string, InboundEvent>();

  /** @param source the inbox source, e.g. `salesforce` */
  constructor(source: string) {
    this.#source = source;
  }

  /** Adds the event for `opportunityId` caused by change `changeId` (once). */
  add(changeId: string, opportunityId: string, reason: ClosedWonEvent['reason'], changedAt: number): void {
    const id = `${changeId}:${opportunityId}`;
    if (this.#events.has(id)) return;
    const body: ClosedWonEvent = { id, type: OPPORTUNITY_CLOSED_WON, opportunityId, reason, changedAt };
    this.#events.set(id, { source: this.#source, eventId: id, headers: {}, body: JSON.stringify(body) });
  }

  /** The events, in the order they were added. */
  events(): InboundEvent[] {
    return [...this.#events.values()];
  }
}
