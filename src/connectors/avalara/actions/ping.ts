/** Checks that AvaTax answers and accepts the configured credentials (a connection test). */
import type { AvalaraClient } from '../client.ts';

/** What `GET /api/v2/utilities/ping` says. */
export interface PingResult {
  version: string;
  authenticated: boolean;
  authenticationType: string;
}

/** Pings AvaTax; `authenticated: false` means the credentials were not accepted. */
export async function ping(client: AvalaraClient): Promise<PingResult> {
  const res = await client.get<PingResult>('utilities/ping');
  return { version: res.version, authenticated: res.authenticated, authenticationType: res.authenticationType };
}
