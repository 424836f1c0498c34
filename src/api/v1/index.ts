/**
 * The `/v1` API: the synchronous operations for sellers, CPQ and partner portals, one route file
 * each, behind one guard and one Idempotency-Key handler.
 */
import type { FastifyInstance } from 'fastify';
import { accountRoutes } from './accounts.ts';
import { availabilityRoutes } from './availability.ts';
import { businessPartnerRoutes } from './business-partners.ts';
import { creditRoutes } from './credit.ts';
import { orderRoutes } from './orders.ts';
import { pricingRoutes } from './pricing.ts';
import { salesOrderRoutes } from './sales-orders.ts';
import { taxRoutes } from './tax.ts';
import type { V1Deps } from './v1-deps.ts';

/** Registers every `/v1` route on `v1` (already guarded). */
export function v1Routes(v1: FastifyInstance, deps: V1Deps): void {
  accountRoutes(v1, deps);
  pricingRoutes(v1, deps);
  creditRoutes(v1, deps);
  taxRoutes(v1, deps);
  orderRoutes(v1, deps);
  availabilityRoutes(v1, deps);
  businessPartnerRoutes(v1, deps);
  salesOrderRoutes(v1, deps);
  const sap = deps.sap;
  if (sap !== undefined) {
    v1.addHook('onClose', async () => {
      await Promise.all([sap.sap.close(), sap.tax?.avalara.close()]);
    });
  }
}
