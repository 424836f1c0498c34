/**
 * The three systems batch work reads and heals — Salesforce, NetSuite, Stripe — as connector
 * clients built from the same options lead-to-order takes, plus the lead-to-order business
 * settings (subsidiaries, currencies), so a heal books exactly what the flow would have booked.
 */
import { NetSuiteClient } from '../../connectors/netsuite/client.ts';
import { transientError } from '../../core/errors.ts';
import { SalesforceClient } from '../../connectors/salesforce/client.ts';
import { StripeClient } from '../../connectors/stripe/client.ts';
import { DEFAULT_LEAD_TO_ORDER_CONFIG, type LeadToOrderConfig } from '../../flows/lead-to-order/config.ts';
import type { LeadToOrderOptions } from '../../flows/lead-to-order/deps.ts';

/** Where the systems are and how to sign in (the lead-to-order options, Avalara not needed). */
export type SystemsOptions = Pick<LeadToOrderOptions, 'salesforce' | 'netsuite' | 'stripe' | 'config'>;

/** The connected systems. */
export interface Systems {
  salesforce: SalesforceClient;
  netsuite: NetSuiteClient;
  stripe: StripeClient;
  /** Business settings, defaults filled in. */
  config: LeadToOrderConfig;
}

/** Builds the clients of `options`. */
export function connectSystems(options: SystemsOptions): Systems {
  return {
    salesforce: new SalesforceClient(options.salesforce),
    netsuite: new NetSuiteClient(options.netsuite),
    stripe: new StripeClient(options.stripe),
    config: { ...DEFAULT_LEAD_TO_ORDER_CONFIG, ...options.config },
  };
}

/** The systems of a runtime's configuration, or an error saying what to configure. */
export function requireSystems(configured: Systems | undefined): Systems {
  if (configured === undefined) {
    // 503 at the HTTP edge, as the /v1 operations answer; one clear line in the CLI.
    throw transientError('batch sync and reconciliation need connectors.salesforce, connectors.netsuite, connectors.stripe (and connectors.avalara) in the configuration', {
      type: 'connectors-not-configured',
      details: { field: 'connectors' },
    });
  }
  return configured;
}
