/**
 * Settings of an SAP sandbox: the communication user (Basic auth), the OAuth client of the
 * communication arrangement, the SAP client number in cookies, and the server page size.
 */

/** Settings of {@link createSapSandbox}. */
export interface SapSandboxConfig {
  /** Communication user for Basic auth. @default 'INTERLOCK_COMM' */
  username: string;
  /** @default 'Sandbox-Passw0rd' */
  password: string;
  /** OAuth 2.0 client id (client credentials at `/sap/bc/sec/oauth2/token`). @default 'interlock-client' */
  clientId: string;
  /** @default 'sandbox-secret' */
  clientSecret: string;
  /** SAP client number, e.g. in `sap-usercontext`. @default '100' */
  sapClient: string;
  /** Access tokens live this long unless `tokenTtlSeconds` says otherwise. @default 3600 */
  tokenSeconds: number;
  /** CSRF tokens (and their sessions) live this long unless `tokenTtlSeconds` says otherwise. @default 1800 */
  csrfSeconds: number;
  /** Server-side page size; longer collections answer `__next`. @default 50 */
  pageSize: number;
}

/** The defaults. */
export const DEFAULT_SAP_CONFIG: Readonly<SapSandboxConfig> = Object.freeze({
  username: 'INTERLOCK_COMM',
  password: 'Sandbox-Passw0rd',
  clientId: 'interlock-client',
  clientSecret: 'sandbox-secret',
  sapClient: '100',
  tokenSeconds: 3600,
  csrfSeconds: 1800,
  pageSize: 50,
});
