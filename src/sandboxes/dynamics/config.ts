/**
 * Settings of the Dynamics 365 sandbox that a test or demo may change: the Entra ID tenant and
 * app registration it accepts, the environment URL accepted as token scope, and token lifetime.
 */

/** Options of {@link createDynamicsSandbox}; every field has a default. */
export interface DynamicsSandboxConfig {
  /** Directory (tenant) id in the token URL. @default '7b1c3e52-5d0a-4c8e-9a51-2f6b8d0e4a10' */
  tenantId: string;
  /** Application (client) id of the app registration. @default 'interlock-dynamics-client' */
  clientId: string;
  /** Its client secret. @default 'interlock-dynamics-secret' */
  clientSecret: string;
  /** Environment URL also accepted as scope resource (besides the sandbox URL). @default 'https://interlock-demo.crm.dynamics.com' */
  environmentUrl: string;
  /** Organisation name in webhook headers and contexts. @default 'interlockdemo' */
  organizationName: string;
  /** Token lifetime when the kit's `tokenTtlSeconds` is unset. @default 3599 */
  tokenSeconds: number;
}

/** The defaults. */
export const DEFAULT_DYNAMICS_CONFIG: Readonly<DynamicsSandboxConfig> = Object.freeze({
  tenantId: '7b1c3e52-5d0a-4c8e-9a51-2f6b8d0e4a10',
  clientId: 'interlock-dynamics-client',
  clientSecret: 'interlock-dynamics-secret',
  environmentUrl: 'https://interlock-demo.crm.dynamics.com',
  organizationName: 'interlockdemo',
  tokenSeconds: 3599,
});
