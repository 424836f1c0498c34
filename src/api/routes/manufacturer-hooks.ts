/**
 * The manufacturer story's webhook intake: `POST /hooks/dynamics` (Dataverse change
 * notifications, authenticated by the shared `?code=` key) and `POST /hooks/sap` (S/4HANA
 * business events from Event Mesh, authenticated by a shared header). Neither body carries the
 * event type the engine routes by, so each is turned into the flows' own events before the inbox
 * stores it: a notification of a won opportunity (or of a person's fix while in error) becomes
 * `opportunity.closed-won` from source `dynamics` — its id derived from the notification's, so a
 * duplicate is absorbed — and a delivery or billing event becomes `sap.delivery.*` / `sap.billing.*`
 * from source `sap`, keyed by the CloudEvent id. Relating a notification to its deal may read
 * Dataverse; when that fails the answer is 503 and the sender delivers again.
 */
import type { FastifyInstance } from 'fastify';
import { DynamicsWebhookVerifier } from '../../connectors/dynamics/triggers/webhook.ts';
import { wonOpportunityEvents } from '../../connectors/dynamics/triggers/won-opportunity.ts';
import { EventMeshReceiver } from '../../connectors/sap/triggers/event-mesh.ts';
import type { Config } from '../../core/config.ts';
import { InterlockError, transientError } from '../../core/errors.ts';
import type { Inbox } from '../../engine/inbox.ts';
import type { ManufacturerDeps } from '../../flows/manufacturer/deps.ts';
import { sapInboxEvent } from '../../flows/manufacturer/erp-events.ts';

/** Registers `/hooks/dynamics` and `/hooks/sap` when their keys are configured. */
export async function manufacturerHookRoutes(app: FastifyInstance, options: { config: Config; inbox: Pick<Inbox, 'accept'>; systems: ManufacturerDeps }): Promise<void> {
  const { config, inbox, systems } = options;
  const webhook = config.connectors.dynamics?.webhook;
  const mesh = config.connectors.sap?.eventMesh;
  if (webhook === undefined && mesh === undefined) return;
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    // The raw body: the Event Mesh parser reads binary and structured CloudEvents from it.
    scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: config.server.bodyLimit }, (_req, body, done) => done(null, body));
    if (webhook !== undefined) {
      const verifier = new DynamicsWebhookVerifier({ keys: [webhook.key] });
      scope.post<{ Body: string }>('/hooks/dynamics', async (req, reply) => {
        const change = verifier.verify({ headers: req.headers, url: req.url, rawBody: typeof req.body === 'string' ? req.body : '' });
        const events = await vendorCall('Dynamics 365', () => wonOpportunityEvents(systems.dynamics, [change]));
        const accepted = await Promise.all(events.map((e) => inbox.accept(e)));
        return reply.code(202).send({ notification: change.id, events: accepted.map((a, i) => ({ id: a.id, eventId: events[i]?.eventId, duplicate: a.duplicate })) });
      });
    }
    if (mesh !== undefined) {
      const receiver = new EventMeshReceiver({ secrets: [mesh.secret], ...(mesh.header === undefined ? {} : { header: mesh.header }) });
      scope.post<{ Body: string }>('/hooks/sap', async (req, reply) => {
        const event = receiver.receive({ headers: req.headers, rawBody: typeof req.body === 'string' ? req.body : '' });
        const inbound = sapInboxEvent(event);
        // Types no flow applies (sales order changes, unknown ones) are acknowledged, not refused.
        if (inbound === undefined) return reply.code(202).send({ eventId: event.id, ignored: true });
        const accepted = await inbox.accept(inbound);
        return reply.code(202).send({ id: accepted.id, eventId: event.id, duplicate: accepted.duplicate });
      });
    }
  });
}

// A vendor failure while relating the notification is ours to retry by the sender: 503.
async function vendorCall<T>(vendor: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof InterlockError && (err.code === 'auth' || err.code === 'validation')) throw err;
    throw transientError(`${vendor} could not be read to relate the notification; deliver it again (${err instanceof Error ? err.message : String(err)})`);
  }
}
