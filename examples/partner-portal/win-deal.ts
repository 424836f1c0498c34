/**
 * What the salesperson does in Dynamics 365 before the portal submits the order: an opportunity
 * for the quote's account and lines, won. Prints its GUID (the walk's OPPORTUNITY_ID).
 *
 *   node examples/partner-portal/win-deal.ts <Dynamics URL, from the banner of npm start>
 *
 * It signs in with the Dynamics sandbox's app registration; against a real environment, use your
 * own (an app user with the Salesperson role) and the Web API calls are the same.
 */
import { DynamicsClient } from '../../src/connectors/dynamics/client.ts';
import { createManufacturerDeal } from '../../src/demo/manufacturer-deals.ts';
import { winOpportunity } from '../../src/flows/manufacturer/read-back.ts';
import { DEFAULT_DYNAMICS_CONFIG } from '../../src/sandboxes/dynamics/config.ts';

const url = process.argv[2];
if (url === undefined || !/^https?:\/\//.test(url)) {
  process.stderr.write('usage: node examples/partner-portal/win-deal.ts <Dynamics URL, e.g. http://127.0.0.1:41234>\n');
  process.exit(2);
}
const { tenantId, clientId, clientSecret } = DEFAULT_DYNAMICS_CONFIG;
const dynamics = new DynamicsClient({ environmentUrl: url, loginUrl: url, credentials: { tenantId, clientId, clientSecret }, allow: ['127.0.0.1', 'localhost'] });
try {
  // The walk's default quote: Fabrikam (CUST-1002, USD), two motors and ten valves.
  const id = await createManufacturerDeal(dynamics, { label: 'Fabrikam — portal quote', account: 'CUST-1002', currency: 'USD', lines: [['MOTOR-E15', 2], ['VALVE-BV50', 10]], pays: false }, new Date().toISOString());
  await winOpportunity(dynamics, id);
  process.stdout.write(`${id}\n`);
} catch (err) {
  process.stderr.write(`could not win a deal in Dynamics at ${url}: ${(err as Error).message}\n`);
  process.exitCode = 1;
} finally {
  await dynamics.close();
}
