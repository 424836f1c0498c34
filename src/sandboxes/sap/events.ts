/**
 * Business events the way S/4HANA Cloud publishes them through SAP Event Mesh: CloudEvents 1.0
 * (structured JSON, `application/cloudevents+json`) whose `type` names the object and what
 * happened (`sap.s4.beh.outbounddelivery.v1.OutboundDelivery.Created.v1`) and whose `data` holds
 * the object's key only: the consumer reads the document through the API. Event Mesh pushes them
 * to a webhook subscription; here the subscription is registered through the admin API
 * (`POST /__sandbox/sap/event-subscriptions`), with optional headers (e.g. its Authorization).
 */
import { randomUUID } from 'node:crypto';
import type { Collection, EventDelivery } from '../kit/index.ts';

/** A webhook subscription. */
export interface EventSubscription {
  id: string;
  url: string;
  /** Event types to push; all when empty. */
  types: string[];
  headers: Record<string, string>;
}

/** The objects that publish events, their type prefix and key property. */
export const EVENT_OBJECTS = {
  salesOrder: { prefix: 'sap.s4.beh.salesorder.v1.SalesOrder', key: 'SalesOrder' },
  outboundDelivery: { prefix: 'sap.s4.beh.outbounddelivery.v1.OutboundDelivery', key: 'OutboundDelivery' },
  billingDocument: { prefix: 'sap.s4.beh.billingdocument.v1.BillingDocument', key: 'BillingDocument' },
} as const;

/** Publishes events to the subscriptions. */
export class SapEvents {
  readonly #subscriptions: Collection<EventSubscription>;
  readonly #delivery: EventDelivery;
  readonly #source: string;

  constructor(subscriptions: Collection<EventSubscription>, delivery: EventDelivery, sapClient: string) {
    this.#subscriptions = subscriptions;
    this.#delivery = delivery;
    this.#source = `/default/sap.s4.beh/S4H${sapClient}`;
  }

  /**
   * Registers a subscription; one to the same URL replaces the earlier one (as a webhook
   * subscription re-created under its name does), so a consumer re-registering at each start
   * does not get every event once per start.
   */
  subscribe(url: string, types: string[], headers: Record<string, string>): EventSubscription {
    const earlier = this.#subscriptions.list().find((s) => s.url === url);
    const subscription = { id: earlier?.id ?? randomUUID(), url, types, headers };
    this.#subscriptions.put(subscription.id, subscription);
    return subscription;
  }

  /** Publishes `<object>.<action>.v1` for the document `id`. */
  publish(object: keyof typeof EVENT_OBJECTS, action: string, id: string, extra: Record<string, string> = {}): void {
    const { prefix, key } = EVENT_OBJECTS[object];
    const type = `${prefix}.${action}.v1`;
    const event = { specversion: '1.0', type, source: this.#source, id: randomUUID(), time: new Date().toISOString(), datacontenttype: 'application/json', data: { [key]: id, ...extra } };
    const body = JSON.stringify(event);
    for (const sub of this.#subscriptions.list()) {
      if (sub.types.length > 0 && !sub.types.includes(type)) continue;
      this.#delivery.send({ id: event.id, url: sub.url, body, headers: () => ({ ...sub.headers, 'content-type': 'application/cloudevents+json' }) });
    }
  }
}
