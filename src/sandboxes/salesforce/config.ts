/**
 * Settings of the Salesforce sandbox that a test or demo may change: the connected app's
 * credentials, the certificate that verifies JWT-bearer assertions, the daily API allowance,
 * query batch size and how long Change Data Capture events are kept.
 */

/** Options of {@link createSalesforceSandbox}; every field has a default. */
export interface SalesforceSandboxConfig {
  /** Connected app consumer key. @default 'interlock-sandbox-client' */
  clientId: string;
  /** Connected app consumer secret. @default 'interlock-sandbox-secret' */
  clientSecret: string;
  /** Username of the integration user (password grant, JWT `sub`). @default 'integration@interlock.sandbox' */
  username: string;
  /** Its password (password grant; real orgs append the security token). @default 'sandbox' */
  password: string;
  /**
   * PEM public key or certificate of the connected app, to verify JWT-bearer assertions; when
   * absent the JWT flow answers `invalid_grant`. @default null
   */
  jwtPublicKey: string | null;
  /** Accepted `aud` values of JWT assertions; the sandbox's own URL is always accepted. @default login/test.salesforce.com */
  jwtAudiences: readonly string[];
  /** Daily API request allowance (`Sforce-Limit-Info: api-usage=N/M`). @default 100000 */
  dailyApiLimit: number;
  /** Default SOQL batch size. @default 2000 */
  defaultBatchSize: number;
  /** How long CDC events stay replayable, in ms. @default 72 h */
  cdcRetentionMs: number;
  /** Long-poll wait of a Pub/Sub fetch when the request names none, in ms. @default 10000 */
  defaultFetchWaitMs: number;
  /** Session lifetime when the fault settings give no `tokenTtlSeconds`, in seconds. @default 7200 */
  sessionSeconds: number;
}

/** The defaults. */
export const DEFAULT_SALESFORCE_CONFIG: Readonly<SalesforceSandboxConfig> = Object.freeze({
  clientId: 'interlock-sandbox-client',
  clientSecret: 'interlock-sandbox-secret',
  username: 'integration@interlock.sandbox',
  password: 'sandbox',
  jwtPublicKey: null,
  jwtAudiences: ['https://login.salesforce.com', 'https://test.salesforce.com'],
  dailyApiLimit: 100_000,
  defaultBatchSize: 2000,
  cdcRetentionMs: 72 * 3600_000,
  defaultFetchWaitMs: 10_000,
  sessionSeconds: 7200,
});
