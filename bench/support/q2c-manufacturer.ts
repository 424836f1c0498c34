/**
 * The manufacturer's part of the q2c benchmark (`--story manufacturer`; see q2c-harness.ts for the
 * rest): won Dynamics 365 opportunities through the manufacturer's lead-to-order (validate with
 * AvaTax → SAP business partner → SAP sales order, found by PurchaseOrderByCustomer first →
 * write-back) against the seeded Dynamics, SAP and Avalara sandboxes; the baseline makes the
 * flow's port calls one after another with no engine; after each case, the SAP sales orders made,
 * which should be one per opportunity.
 */
import type { DynamicsClient } from '../../src/connectors/dynamics/client.ts';
import { SANDBOX_APP } from '../../src/connectors/dynamics/test-support.ts';
import { DYNAMICS_SOURCE } from '../../src/connectors/dynamics/triggers/won-opportunity.ts';
import { loadConfig } from '../../src/core/config.ts';
import { INTEGRATION_STATUS } from '../../src/flows/lead-to-order/write-back.ts';
import type { ManufacturerDeps } from '../../src/flows/manufacturer/deps.ts';
import { MANUFACTURER_LEAD_TO_ORDER_FLOW } from '../../src/flows/manufacturer/flow.ts';
import { manufacturerPorts } from '../../src/flows/manufacturer/ports.ts';
import { openManufacturerSystems } from '../../src/flows/manufacturer/story.ts';
import { nameGuid } from '../../src/sandboxes/dynamics/records.ts';
import { round } from '../report.ts';
import type { Q2cStory } from './q2c-harness.ts';
import type { SandboxThread } from './q2c-sandboxes.ts';

const ACCOUNTS = [['CUST-1001', 'EUR'], ['CUST-1002', 'USD'], ['CUST-1003', 'GBP']] as const;
const LINES = [['VALVE-BV50', 4], ['SPARE-SEALKIT', 10], ['PUMP-CP100', 1]] as const;
// Opportunities made at once during set-up (Dataverse has no multi-row insert without $batch).
const SET_UP_PARALLEL = 16;

/** Dynamics 365 → SAP S/4HANA: the manufacturer's lead-to-order flow. */
export const MANUFACTURER_STORY: Q2cStory = {
  name: 'manufacturer',
  target: { flow: MANUFACTURER_LEAD_TO_ORDER_FLOW, source: DYNAMICS_SOURCE },
  configValues,
  makeDeals: (rt, n, tag) => createWonOpportunities(rt.manufacturer!.dynamics, n, tag),
  outcome: async (rt, runs) => ({ sap_orders_per_opportunity: round((await countSapOrders(rt.manufacturer!)) / runs) }),
  async openBaseline(values) {
    const systems = await openManufacturerSystems(loadConfig({ values }));
    if (systems === undefined) throw new Error('q2c: the connectors did not configure the manufacturer story');
    return {
      makeDeals: (n, tag) => createWonOpportunities(systems.dynamics, n, tag),
      book: (id) => bookByHand(systems, id),
      close: () => systems.close(),
    };
  },
};

/** Makes `n` won opportunities, round-robin over the seeded accounts and products; resolves to their ids. */
export async function createWonOpportunities(dynamics: DynamicsClient, n: number, tag: string): Promise<string[]> {
  const ids: string[] = new Array<string>(n);
  let next = 0;
  const one = async (i: number): Promise<void> => {
    const [account, currency] = ACCOUNTS[i % ACCOUNTS.length]!;
    const [sku, quantity] = LINES[i % LINES.length]!;
    const made = await dynamics.api<{ opportunityid: string }>({
      method: 'POST',
      path: 'opportunities',
      headers: { prefer: 'return=representation' },
      query: { $select: 'opportunityid' },
      json: {
        name: `${tag} ${i}`, isrevenuesystemcalculated: true,
        'customerid_account@odata.bind': `/accounts(${nameGuid(`account:${account}`)})`,
        'pricelevelid@odata.bind': `/pricelevels(${nameGuid('pricelevel:list')})`,
        'transactioncurrencyid@odata.bind': `/transactioncurrencies(${nameGuid(`currency:${currency}`)})`,
      },
    });
    const id = made.body.opportunityid;
    await dynamics.api({
      method: 'POST',
      path: 'opportunityproducts',
      json: { quantity, lineitemnumber: 1, sequencenumber: 1, 'opportunityid@odata.bind': `/opportunities(${id})`, 'productid@odata.bind': `/products(${nameGuid(`product:${sku}`)})`, 'uomid@odata.bind': `/uoms(${nameGuid('uom:primary')})` },
    });
    await dynamics.api({ method: 'POST', path: 'WinOpportunity', json: { Status: 3, OpportunityClose: { subject: 'Won', 'opportunityid@odata.bind': `/opportunities(${id})` } } });
    ids[i] = id;
  };
  await Promise.all(Array.from({ length: SET_UP_PARALLEL }, async () => {
    for (let i = next++; i < n; i = next++) await one(i);
  }));
  return ids;
}

/** The flow's port calls for one deal, one after another: what the engine runs durably. */
async function bookByHand(deps: ManufacturerDeps, opportunityId: string): Promise<void> {
  const ports = manufacturerPorts(deps);
  const deal = await ports.crm.readDeal(opportunityId);
  const check = await ports.validate(deal);
  if (!check.ok) throw new Error(`baseline: opportunity ${opportunityId} is not valid: ${check.problems.join(' ')}`);
  const valid = { ...check, opportunity: deal };
  await ports.crm.reportStatus(opportunityId, INTEGRATION_STATUS.inProgress, null);
  const customer = await ports.erp.upsertCustomer(valid);
  const order = await ports.erp.bookOrder(valid, customer);
  await ports.crm.reportSynced(opportunityId, { erpOrderNumber: ports.erp.orderNumber(order), billingCustomerId: null, subscriptionId: null }, deal);
}

async function configValues(sandboxes: SandboxThread): Promise<Record<string, unknown>> {
  const { dynamics, sap, avalara } = sandboxes.urls as Record<string, string>;
  const state = (await (await fetch(`${sap}/__sandbox/state`)).json()) as { basicAuth: { username: string; password: string } };
  return {
    log: { level: 'error' },
    outbound: { allow: ['127.0.0.1'] },
    connectors: {
      dynamics: { environmentUrl: dynamics, loginUrl: dynamics, ...SANDBOX_APP },
      sap: { baseUrl: sap, ...state.basicAuth },
      avalara: { accountId: '2001', licenseKey: 'q2c-bench-license', baseUrl: avalara },
    },
  };
}

// SAP sales orders made by the case: exactly one per opportunity is right.
async function countSapOrders(deps: ManufacturerDeps): Promise<number> {
  const res = await deps.sap.get('API_SALES_ORDER_SRV', 'A_SalesOrder/$count');
  return Number(typeof res.body === 'string' ? res.body : JSON.stringify(res.body));
}
