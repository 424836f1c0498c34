/**
 * The SAP sandbox's own admin endpoints (under `/__sandbox/sap/`, never faulted): expire every
 * CSRF session now, register an event subscription (the Event Mesh webhook), and drive the steps
 * that happen inside S/4HANA after an order is booked — delivery, goods issue, billing,
 * cancellation — plus a material's stock and its replenishment (goods receipt).
 */
import type { FastifyInstance } from 'fastify';
import type { ConcurrentEdits } from './concurrent-edits.ts';
import type { CsrfSessions } from './csrf.ts';
import { badRequest } from './errors.ts';
import type { SapEvents } from './events.ts';
import { cancelBillingDocument, clearBillingDocument, createBillingDocument, createDelivery, postGoodsIssue, postGoodsReceipt } from './fulfilment.ts';
import type { SapRecord, SapStore } from './store.ts';

/** What the admin routes need. */
export interface AdminDeps {
  store: SapStore;
  events: SapEvents;
  csrf: CsrfSessions;
  concurrentEdits: ConcurrentEdits;
}

const plain = (record: SapRecord): Record<string, unknown> => ({ ...record.values });

/** Registers the admin routes. */
export function registerSapAdmin(app: FastifyInstance, deps: AdminDeps): void {
  const { store, events } = deps;
  app.post('/__sandbox/sap/csrf/expire', async () => ({ expired: deps.csrf.expireAll() }));
  app.post('/__sandbox/sap/concurrent-edits', async (request) => {
    const count = Number((request.body as { count?: unknown } | undefined)?.count ?? 1);
    if (!Number.isInteger(count) || count < 0) throw badRequest('count: a whole number ≥ 0 is required', 'count');
    return { pending: deps.concurrentEdits.arm(count) };
  });
  app.post('/__sandbox/sap/event-subscriptions', async (request, reply) => {
    const body = (request.body ?? {}) as { url?: unknown; types?: unknown; headers?: unknown };
    if (typeof body.url !== 'string' || !/^https?:\/\//.test(body.url)) throw badRequest('url: an http(s) URL is required', 'url');
    const types = Array.isArray(body.types) ? body.types.map(String) : [];
    const headers = typeof body.headers === 'object' && body.headers !== null ? Object.fromEntries(Object.entries(body.headers).map(([k, v]) => [k.toLowerCase(), String(v)])) : {};
    return reply.code(201).send(events.subscribe(body.url, types, headers));
  });
  app.post<{ Params: { id: string } }>('/__sandbox/sap/sales-orders/:id/delivery', async (request, reply) => reply.code(201).send(plain(createDelivery(store, events, request.params.id))));
  app.post<{ Params: { id: string } }>('/__sandbox/sap/outbound-deliveries/:id/goods-issue', async (request) => plain(postGoodsIssue(store, events, request.params.id)));
  app.post<{ Params: { id: string } }>('/__sandbox/sap/outbound-deliveries/:id/billing', async (request, reply) => {
    const taxRate = Number((request.body as { taxRate?: unknown } | undefined)?.taxRate ?? 0);
    return reply.code(201).send(plain(createBillingDocument(store, events, request.params.id, Number.isFinite(taxRate) ? taxRate : 0)));
  });
  app.post<{ Params: { id: string } }>('/__sandbox/sap/billing-documents/:id/payment', async (request) => plain(clearBillingDocument(store, events, request.params.id)));
  app.post<{ Params: { id: string } }>('/__sandbox/sap/billing-documents/:id/cancel', async (request) => plain(cancelBillingDocument(store, events, request.params.id)));
  app.put<{ Params: { id: string } }>('/__sandbox/sap/materials/:id/stock', async (request) => {
    const material = store.materials.get(request.params.id);
    const stock = Number((request.body as { stock?: unknown } | undefined)?.stock);
    if (material === undefined) throw badRequest(`Material ${request.params.id} does not exist`);
    if (!Number.isFinite(stock) || stock < 0) throw badRequest('stock: a non-negative number is required', 'stock');
    store.materials.put(material.material, { ...material, stock });
    return { ...material, stock };
  });
  app.post<{ Params: { id: string } }>('/__sandbox/sap/materials/:id/goods-receipt', async (request) =>
    postGoodsReceipt(store, request.params.id, Number((request.body as { quantity?: unknown } | undefined)?.quantity)),
  );
}
