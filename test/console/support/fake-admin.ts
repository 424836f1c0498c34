/**
 * A stand-in for the admin API answering the observability contract (overview and lineage) with
 * fixed, rich data, beside the real console route: the screens are checked against every field
 * of the contract, whatever the instance they run on happens to hold.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { registerConsole } from '../../../src/api/console.ts';

const t = (minutes: number) => new Date(Date.UTC(2026, 10, 26, 9, 0) + minutes * 60_000).toISOString();

/** `GET /admin/overview` as the contract shapes it. */
export const OVERVIEW = {
  kpis: { ordersBooked: 128, orderAcceptanceRate: 0.961, invoicesCreated: 117, closedWonToErpP50Ms: 4200, closedWonToErpP95Ms: 61_000, deadLetters: 2, runsWaiting: 3, openDiscrepancies: 0 },
  slos: [
    { name: 'closed-won-booked', description: 'Closed-won deals booked in NetSuite within 15 minutes', objective: 0.95, window: '28d', sli: 0.981, errorBudgetRemaining: 0.62, burnRate: 0.4 },
    { name: 'invoice-feedback', description: 'Stripe invoices reflected in Salesforce within 5 minutes', objective: 0.99, window: '28d', sli: 0.97, errorBudgetRemaining: 0.1, burnRate: 3.2 },
  ],
  systems: [
    { name: 'salesforce', status: 'up', circuit: 'closed', rateLimitRemaining: 14_200, latencyP50Ms: 38 },
    { name: 'netsuite', status: 'degraded', circuit: 'half-open', rateLimitRemaining: 3, latencyP50Ms: 410 },
    { name: 'stripe', status: 'down', circuit: 'open', rateLimitRemaining: null, latencyP50Ms: null },
    { name: 'avalara', status: 'unknown' },
  ],
  series: [{ name: 'orders booked per hour', unit: 'orders', points: Array.from({ length: 24 }, (_, i) => [t(i * 60), (i * 7) % 13] as [string, number]) }],
};

/** `GET /admin/lineage/006FAKE` as the contract shapes it, a payload holding a secret. */
export const LINEAGE = {
  query: '006FAKE',
  nodes: [
    { key: 'salesforce:Opportunity:006FAKE', kind: 'record', system: 'salesforce', label: 'Opportunity 006FAKE', at: t(0), status: 'Closed Won' },
    { key: 'event:1', kind: 'event', system: 'interlock', label: 'CDC event 1', at: t(0.1), traceId: 'a'.repeat(32) },
    { key: 'run:7', kind: 'run', system: 'interlock', label: 'lead-to-order run 7', at: t(0.2), status: 'completed', payloadVersion: 'order@1.2.0' },
    { key: 'step:7:book-order', kind: 'step', system: 'interlock', label: 'book-order', at: t(0.3), status: 'completed', attempts: 3 },
    { key: 'netsuite:salesOrder:SO-88', kind: 'record', system: 'netsuite', label: 'Sales order SO-88', at: t(0.4), detail: { tranId: 'SO-88', headers: { authorization: 'Bearer abc.def' } } },
    { key: 'stripe:subscription:sub_1', kind: 'record', system: 'stripe', label: 'Subscription sub_1', at: t(0.5), status: 'active' },
  ],
  edges: [
    { from: 'salesforce:Opportunity:006FAKE', to: 'event:1', relation: 'caused' },
    { from: 'event:1', to: 'run:7', relation: 'caused' },
    { from: 'run:7', to: 'step:7:book-order', relation: 'caused' },
    { from: 'step:7:book-order', to: 'netsuite:salesOrder:SO-88', relation: 'wrote' },
    { from: 'run:7', to: 'stripe:subscription:sub_1', relation: 'wrote' },
  ],
  timeline: [
    { at: t(0.1), name: 'inbox salesforce', durationMs: 12, status: 'ok', traceId: 'a'.repeat(32), spanId: '1'.repeat(16), attributes: {} },
    { at: t(0.2), name: 'run lead-to-order', durationMs: 18_000, status: 'ok', traceId: 'a'.repeat(32), spanId: '2'.repeat(16), parentSpanId: '1'.repeat(16), attributes: { 'run.id': 7 } },
    { at: t(0.3), name: 'POST netsuite salesOrder', durationMs: 900, status: 'error', traceId: 'a'.repeat(32), spanId: '3'.repeat(16), parentSpanId: '2'.repeat(16), attributes: { 'http.status_code': 503 } },
  ],
};

/** Starts the console route and the stand-in API; the session is of `role`. */
export async function startFakeAdmin(role: string): Promise<{ base: string; close: () => Promise<void> }> {
  const app: FastifyInstance = Fastify();
  await registerConsole(app);
  app.get('/admin/session', async () => ({ actor: 'key:fake', role }));
  app.get('/admin/overview', async () => OVERVIEW);
  app.get<{ Params: { id: string } }>('/admin/lineage/:id', async (req, reply) =>
    req.params.id === '006FAKE' ? LINEAGE : reply.code(404).type('application/problem+json').send({ type: 'https://interlock.dev/problems/not-found', title: 'Not found', status: 404, detail: `nothing is known about ${req.params.id}` }),
  );
  await app.listen({ host: '127.0.0.1', port: 0 });
  return { base: `http://127.0.0.1:${(app.server.address() as { port: number }).port}`, close: () => app.close() };
}
