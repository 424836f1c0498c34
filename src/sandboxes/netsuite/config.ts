/**
 * Settings of the NetSuite sandbox: the account id, the OAuth 2.0 M2M integration (client id,
 * certificate id and the certificate's public key), the account-wide concurrency limit and the
 * token lifetime.
 */

/** Options of {@link createNetSuiteSandbox}; every field has a default. */
export interface NetSuiteSandboxConfig {
  /** Account id, as in `1234567.suitetalk.api.netsuite.com`. @default '1234567' */
  accountId: string;
  /** Integration record's client id (the JWT `iss`). @default 'interlock-netsuite-client' */
  clientId: string;
  /** Certificate id from the M2M setup (the JWT `kid`). @default 'interlock-sandbox-cert' */
  certificateId: string;
  /**
   * PEM public key or certificate verifying client assertions. When null, the sandbox makes an
   * EC P-256 key pair at start and shows the private key under `GET /__sandbox/state` (`m2m`),
   * so a local integration can sign assertions. @default null
   */
  publicKey: string | null;
  /** Account-wide concurrent request limit (REST record, SuiteQL, async). @default 5 */
  concurrencyLimit: number;
  /** Token lifetime when the fault settings give no `tokenTtlSeconds`, in seconds. @default 3600 */
  tokenSeconds: number;
}

/** The defaults. */
export const DEFAULT_NETSUITE_CONFIG: Readonly<NetSuiteSandboxConfig> = Object.freeze({
  accountId: '1234567',
  clientId: 'interlock-netsuite-client',
  certificateId: 'interlock-sandbox-cert',
  publicKey: null,
  concurrencyLimit: 5,
  tokenSeconds: 3600,
});
