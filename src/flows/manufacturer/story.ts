/**
 * The manufacturer story's systems from configuration: `connectors.dynamics`, `connectors.sap`
 * and `connectors.avalara` (loadConfig has checked they come together) and the business settings
 * under `flows.manufacturer`. Interlock runs the manufacturer's flows only when they are configured.
 */
import type { Config } from '../../core/config.ts';
import type { SapCredentials } from '../../connectors/sap/auth.ts';
import type { ManufacturerConfig } from './config.ts';
import { avalaraOptions } from '../story.ts';
import { buildManufacturerDeps } from './deps.ts';
import type { ManufacturerDeps, ManufacturerOptions } from './deps.ts';

/** Client options of the three systems, or undefined when Dynamics 365 is not configured. */
export function manufacturerOptions(config: Config): ManufacturerOptions | undefined {
  const { dynamics, sap, avalara } = config.connectors;
  if (dynamics === undefined || sap === undefined || avalara === undefined) return undefined;
  const allow = config.outbound.allow;
  const settings = config.flows.manufacturer;
  const business: Partial<ManufacturerConfig> = {};
  if (settings.discountApprovalThresholdPercent !== undefined) business.discountApprovalThresholdPercent = settings.discountApprovalThresholdPercent;
  if (settings.salesAreas !== undefined) business.salesAreas = settings.salesAreas;
  if (settings.currencies !== undefined) business.currencies = settings.currencies;
  if (settings.shipFrom !== undefined) business.shipFrom = settings.shipFrom;
  // loadConfig has checked that one of the two credential pairs is complete.
  const credentials: SapCredentials =
    sap.username !== undefined && sap.password !== undefined
      ? { kind: 'basic', username: sap.username, password: sap.password }
      : { kind: 'oauth', clientId: sap.clientId ?? '', clientSecret: sap.clientSecret ?? '' };
  return {
    dynamics: {
      environmentUrl: dynamics.environmentUrl,
      credentials: { tenantId: dynamics.tenantId, clientId: dynamics.clientId, clientSecret: dynamics.clientSecret },
      ...(dynamics.loginUrl === undefined ? {} : { loginUrl: dynamics.loginUrl }),
      allow,
    },
    sap: { baseUrl: sap.baseUrl, credentials, ...(sap.servicePrefix === undefined ? {} : { servicePrefix: sap.servicePrefix }), allow },
    avalara: avalaraOptions(avalara, allow),
    config: business,
  };
}

/** The manufacturer's clients built from `config` (no connection is made yet), or undefined. */
export async function openManufacturerSystems(config: Config): Promise<ManufacturerDeps | undefined> {
  const options = manufacturerOptions(config);
  return options === undefined ? undefined : buildManufacturerDeps(options);
}
