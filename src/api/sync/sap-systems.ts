/**
 * The SAP S/4HANA client of the near-real-time checks (`/v1/availability`, business partners,
 * SAP credit, SAP order submission), built from `connectors.sap`. The checks need SAP only, not
 * the first story's four systems, so they are opened on their own.
 */
import { AvalaraClient } from '../../connectors/avalara/client.ts';
import { SapClient } from '../../connectors/sap/client.ts';
import { DEFAULT_LEAD_TO_ORDER_CONFIG } from '../../flows/lead-to-order/config.ts';
import type { TaxSystems } from './tax-estimate.ts';
import type { Config } from '../../core/config.ts';
import { transientError, validationError } from '../../core/errors.ts';

/** What the SAP-backed operations call. */
export interface SapSystems {
  sap: SapClient;
  /**
   * AvaTax for the tax estimate, when `connectors.avalara` is configured beside SAP (the
   * manufacturer's systems: CRM, SAP and AvaTax, without the first story's four).
   */
  tax?: TaxSystems | undefined;
}

/** The SAP client `config.connectors.sap` describes, or undefined when SAP is not configured. */
export function openSapSystems(config: Config): SapSystems | undefined {
  const c = config.connectors.sap;
  if (c === undefined) return undefined;
  let credentials;
  if (c.username !== undefined && c.password !== undefined) credentials = { kind: 'basic' as const, username: c.username, password: c.password };
  else if (c.clientId !== undefined && c.clientSecret !== undefined) credentials = { kind: 'oauth' as const, clientId: c.clientId, clientSecret: c.clientSecret };
  else throw validationError('key "connectors.sap" needs username and password (Basic) or clientId and clientSecret (OAuth client credentials)', { details: { field: 'connectors.sap' } });
  const a = config.connectors.avalara;
  const tax: TaxSystems | undefined =
    a === undefined
      ? undefined
      : {
          avalara: new AvalaraClient({
            accountId: a.accountId,
            licenseKey: a.licenseKey,
            allow: config.outbound.allow,
            ...(a.companyCode === undefined ? {} : { companyCode: a.companyCode }),
            ...(a.baseUrl === undefined ? {} : { baseUrl: a.baseUrl }),
          }),
          config: { shipFrom: config.flows.leadToOrder.shipFrom ?? DEFAULT_LEAD_TO_ORDER_CONFIG.shipFrom },
        };
  return {
    tax,
    sap: new SapClient({
      baseUrl: c.baseUrl,
      credentials,
      allow: config.outbound.allow,
      ...(c.servicePrefix === undefined ? {} : { servicePrefix: c.servicePrefix }),
    }),
  };
}

/** The SAP client, or a 503 problem saying `connectors.sap` is not configured. */
export function sapOf(systems: SapSystems | undefined): SapSystems {
  if (systems === undefined) {
    throw transientError('this operation asks SAP S/4HANA, and connectors.sap is not configured', { type: 'connectors-not-configured' });
  }
  return systems;
}
