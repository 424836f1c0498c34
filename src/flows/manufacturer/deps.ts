/**
 * The connector clients and mappings of the manufacturer story — Dynamics 365 (CRM), SAP S/4HANA
 * (ERP, which also bills) and Avalara (tax) — built from options, so tests point them at the
 * sandboxes and production at the real systems.
 */
import { fileURLToPath } from 'node:url';
import { AvalaraClient } from '../../connectors/avalara/client.ts';
import type { AvalaraConnectorOptions } from '../../connectors/avalara/client.ts';
import { DynamicsClient } from '../../connectors/dynamics/client.ts';
import type { DynamicsOptions } from '../../connectors/dynamics/client.ts';
import { SapClient } from '../../connectors/sap/client.ts';
import type { SapOptions } from '../../connectors/sap/client.ts';
import { loadMappingFile } from '../../mapping/load.ts';
import type { Mapper } from '../../mapping/mapper.ts';
import { DEFAULT_MANUFACTURER_CONFIG } from './config.ts';
import type { ManufacturerConfig } from './config.ts';

/** Where the three systems are and how to sign in; business settings override the defaults. */
export interface ManufacturerOptions {
  dynamics: DynamicsOptions;
  sap: SapOptions;
  avalara: AvalaraConnectorOptions;
  config?: Partial<ManufacturerConfig>;
}

/** Dynamics → canonical and canonical → SAP mappings. */
export interface ManufacturerMappers {
  /** `dynamics.opportunity-to-order` */
  order: Mapper;
  /** `dynamics.account-to-customer` */
  customer: Mapper;
  /** `sap.customer-to-business-partner` */
  businessPartner: Mapper;
  /** `sap.order-to-sales-order` */
  salesOrder: Mapper;
}

/** Everything the manufacturer flows call. */
export interface ManufacturerDeps {
  dynamics: DynamicsClient;
  sap: SapClient;
  avalara: AvalaraClient;
  mappers: ManufacturerMappers;
  config: ManufacturerConfig;
  /** Closes the clients' connections. */
  close(): Promise<void>;
}

const mappingPath = (connector: string, file: string): string => fileURLToPath(new URL(`../../connectors/${connector}/mappings/${file}`, import.meta.url));

/** Loads the four mappings. */
export async function loadManufacturerMappers(): Promise<ManufacturerMappers> {
  const [order, customer, businessPartner, salesOrder] = await Promise.all([
    loadMappingFile(mappingPath('dynamics', 'opportunity-to-order.yaml')),
    loadMappingFile(mappingPath('dynamics', 'account-to-customer.yaml')),
    loadMappingFile(mappingPath('sap', 'customer-to-business-partner.yaml')),
    loadMappingFile(mappingPath('sap', 'order-to-sales-order.yaml')),
  ]);
  return { order, customer, businessPartner, salesOrder };
}

/** Builds the clients (no connection yet) and loads the mappings. */
export async function buildManufacturerDeps(options: ManufacturerOptions): Promise<ManufacturerDeps> {
  const mappers = await loadManufacturerMappers();
  const dynamics = new DynamicsClient(options.dynamics);
  const sap = new SapClient(options.sap);
  const avalara = new AvalaraClient(options.avalara);
  return {
    dynamics,
    sap,
    avalara,
    mappers,
    config: { ...DEFAULT_MANUFACTURER_CONFIG, ...options.config },
    close: async () => {
      await Promise.all([dynamics.close(), sap.close(), avalara.close()]);
    },
  };
}
