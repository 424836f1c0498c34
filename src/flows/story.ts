/**
 * The first story's systems, from configuration: the options of the four connector clients
 * (`connectors.*`) and the business settings of lead-to-order (`flows.leadToOrder`). Interlock
 * runs the story's flows only when all four systems are configured.
 */
import type { AvalaraConnectorOptions } from '../connectors/avalara/client.ts';
import type { Config } from '../core/config.ts';
import type { LeadToOrderConfig } from './lead-to-order/config.ts';
import { buildLeadToOrderDeps } from './lead-to-order/deps.ts';
import type { LeadToOrderDeps, LeadToOrderOptions } from './lead-to-order/deps.ts';

/** Client options for the four systems, or undefined when `connectors` is empty. */
export function storyOptions(config: Config): LeadToOrderOptions | undefined {
  const { salesforce: sf, netsuite: ns, stripe, avalara } = config.connectors;
  // loadConfig has checked that the four come together.
  if (sf === undefined || ns === undefined || stripe === undefined || avalara === undefined) return undefined;
  const allow = config.outbound.allow;
  const settings = config.flows.leadToOrder;
  const business: Partial<LeadToOrderConfig> = {};
  if (settings.discountApprovalThresholdPercent !== undefined) business.discountApprovalThresholdPercent = settings.discountApprovalThresholdPercent;
  if (settings.subsidiaries !== undefined) business.subsidiaries = settings.subsidiaries;
  if (settings.currencies !== undefined) business.currencies = settings.currencies;
  if (settings.shipFrom !== undefined) business.shipFrom = settings.shipFrom;
  if (settings.intervals !== undefined) business.intervals = settings.intervals;
  return {
    salesforce: {
      loginUrl: sf.loginUrl,
      credentials:
        sf.clientSecret !== undefined
          ? { kind: 'client-credentials', clientId: sf.clientId, clientSecret: sf.clientSecret }
          : { kind: 'jwt-bearer', clientId: sf.clientId, username: sf.username ?? '', privateKey: sf.privateKey ?? '' },
      ...(sf.apiVersion === undefined ? {} : { apiVersion: sf.apiVersion }),
      allow,
    },
    netsuite: {
      baseUrl: ns.baseUrl,
      credentials: { clientId: ns.clientId, certificateId: ns.certificateId, privateKey: ns.privateKey, algorithm: ns.algorithm },
      ...(ns.concurrency === undefined ? {} : { concurrency: ns.concurrency }),
      allow,
    },
    stripe: { secretKey: stripe.secretKey, ...(stripe.baseUrl === undefined ? {} : { baseUrl: stripe.baseUrl }), allow },
    avalara: avalaraOptions(avalara, allow),
    config: business,
  };
}

/** The story's clients built from `config` (no connection is made yet), or undefined. */
export async function openStorySystems(config: Config): Promise<LeadToOrderDeps | undefined> {
  const options = storyOptions(config);
  return options === undefined ? undefined : buildLeadToOrderDeps(options);
}

/** AvaTax client options from `connectors.avalara` (shared by both stories). */
export function avalaraOptions(avalara: NonNullable<Config['connectors']['avalara']>, allow: readonly string[]): AvalaraConnectorOptions {
  return {
    accountId: avalara.accountId,
    licenseKey: avalara.licenseKey,
    ...(avalara.companyCode === undefined ? {} : { companyCode: avalara.companyCode }),
    ...(avalara.baseUrl === undefined ? {} : { baseUrl: avalara.baseUrl }),
    allow,
  };
}
