/**
 * The connector clients and mappings lead-to-order works with, built from options (vendor URLs
 * and credentials), so tests and the demo point the flow at sandboxes and production points it
 * at the real systems.
 */
import { fileURLToPath } from 'node:url';
import { AvalaraClient } from '../../connectors/avalara/client.ts';
import type { AvalaraConnectorOptions } from '../../connectors/avalara/client.ts';
import { NetSuiteClient } from '../../connectors/netsuite/client.ts';
import type { NetSuiteOptions } from '../../connectors/netsuite/client.ts';
import { SalesforceClient } from '../../connectors/salesforce/client.ts';
import type { SalesforceOptions } from '../../connectors/salesforce/client.ts';
import { StripeClient } from '../../connectors/stripe/client.ts';
import type { StripeConnectorOptions } from '../../connectors/stripe/client.ts';
import { loadMappingFile } from '../../mapping/load.ts';
import type { Mapper } from '../../mapping/mapper.ts';
import { DEFAULT_LEAD_TO_ORDER_CONFIG } from './config.ts';
import type { LeadToOrderConfig } from './config.ts';

/** Where the four systems are and how to sign in; business settings override the defaults. */
export interface LeadToOrderOptions {
  salesforce: SalesforceOptions;
  netsuite: NetSuiteOptions;
  stripe: StripeConnectorOptions;
  avalara: AvalaraConnectorOptions;
  config?: Partial<LeadToOrderConfig>;
}

/** The two mappings from Salesforce into the canonical model. */
export interface LeadToOrderMappers {
  /** `salesforce.opportunity-to-order` */
  order: Mapper;
  /** `salesforce.account-to-customer` */
  customer: Mapper;
}

/** Everything the flow's steps call. */
export interface LeadToOrderDeps {
  salesforce: SalesforceClient;
  netsuite: NetSuiteClient;
  stripe: StripeClient;
  avalara: AvalaraClient;
  mappers: LeadToOrderMappers;
  config: LeadToOrderConfig;
  /** Closes the clients' connections. */
  close(): Promise<void>;
}

const mappingPath = (file: string): string => fileURLToPath(new URL(`../../connectors/salesforce/mappings/${file}`, import.meta.url));

/** Loads the Salesforce → canonical mappings the flow uses. */
export async function loadLeadToOrderMappers(): Promise<LeadToOrderMappers> {
  const [order, customer] = await Promise.all([loadMappingFile(mappingPath('opportunity-to-order.yaml')), loadMappingFile(mappingPath('account-to-customer.yaml'))]);
  return { order, customer };
}

/** Builds the clients and loads the mappings. */
export async function buildLeadToOrderDeps(options: LeadToOrderOptions): Promise<LeadToOrderDeps> {
  const mappers = await loadLeadToOrderMappers();
  const salesforce = new SalesforceClient(options.salesforce);
  const netsuite = new NetSuiteClient(options.netsuite);
  const stripe = new StripeClient(options.stripe);
  const avalara = new AvalaraClient(options.avalara);
  return {
    salesforce,
    netsuite,
    stripe,
    avalara,
    mappers,
    config: { ...DEFAULT_LEAD_TO_ORDER_CONFIG, ...options.config },
    close: async () => {
      await Promise.all([salesforce.close(), netsuite.close(), stripe.close(), avalara.close()]);
    },
  };
}
