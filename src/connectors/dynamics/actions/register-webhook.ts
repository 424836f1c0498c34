/**
 * Registers Interlock as a webhook for changes of one table, the way the Plug-in Registration
 * tool does it through the Web API: a `serviceendpoints` row (contract 8 = webhook, WebhookKey
 * auth → Dataverse adds `?code=<key>`) and one asynchronous post-operation
 * `sdkmessageprocessingsteps` row per message, with a post image of the whole row. Idempotent:
 * rows are found by name and updated, so running it again (or with a rolled key) adds nothing.
 */
import { InterlockError } from '../../../core/errors.ts';
import type { DynamicsClient } from '../client.ts';
import { entityIdOf } from '../client.ts';
import { literal } from './odata.ts';
import { queryRecords } from './query-records.ts';

/** One registration. */
export interface RegisterWebhookInput {
  /** Endpoint name; also prefixes the step names. */
  name: string;
  /** Interlock's receiving URL (HTTPS on port 443 for a real environment). */
  url: string;
  /** The shared key Dataverse sends as `?code=`. */
  key: string;
  /** Logical name of the table, e.g. `opportunity`. */
  table: string;
  /** @default ['Create', 'Update'] */
  messages?: ReadonlyArray<'Create' | 'Update' | 'Delete'>;
  /** Update steps fire only when one of these columns changes. @default all */
  filteringAttributes?: readonly string[];
}

const WEBHOOK_CONTRACT = 8;
const AUTH_WEBHOOK_KEY = 4;
const STAGE_POST_OPERATION = 40;
const MODE_ASYNC = 1;

/** Registers (or refreshes) the endpoint and its steps; returns the endpoint's id. */
export async function registerWebhook(client: DynamicsClient, input: RegisterWebhookInput): Promise<string> {
  const endpointFields = { name: input.name, url: input.url, contract: WEBHOOK_CONTRACT, authtype: AUTH_WEBHOOK_KEY, authvalue: input.key, messageformat: 2 };
  const existing = await first(client, 'serviceendpoints', ['serviceendpointid'], `name eq ${literal(input.name)}`);
  let endpointId = existing?.['serviceendpointid'] as string | undefined;
  if (endpointId === undefined) {
    endpointId = entityIdOf(await client.api({ method: 'POST', path: 'serviceendpoints', json: endpointFields }));
    if (endpointId === undefined) throw new InterlockError('unexpected', 'Dynamics 365 created a service endpoint without an OData-EntityId', { details: { vendor: 'dynamics' } });
  } else {
    await client.api({ method: 'PATCH', path: `serviceendpoints(${endpointId})`, json: endpointFields, headers: { 'if-match': '*' } });
  }
  for (const message of input.messages ?? ['Create', 'Update']) {
    const stepName = `${input.name}: ${message} of ${input.table}`;
    const messageRow = await first(client, 'sdkmessages', ['sdkmessageid'], `name eq ${literal(message)}`);
    const messageId = messageRow?.['sdkmessageid'];
    const filter = typeof messageId === 'string' ? await first(client, 'sdkmessagefilters', ['sdkmessagefilterid'], `primaryobjecttypecode eq ${literal(input.table)} and _sdkmessageid_value eq ${messageId}`) : undefined;
    if (typeof messageId !== 'string' || filter === undefined) throw new InterlockError('validation', `Dynamics 365 has no ${message} message for table ${JSON.stringify(input.table)}`, { details: { vendor: 'dynamics' } });
    const stepFields = {
      name: stepName, stage: STAGE_POST_OPERATION, mode: MODE_ASYNC, rank: 1, supporteddeployment: 0, asyncautodelete: false,
      filteringattributes: message === 'Update' && input.filteringAttributes !== undefined ? input.filteringAttributes.join(',') : null,
      'sdkmessageid@odata.bind': `/sdkmessages(${messageId})`,
      'sdkmessagefilterid@odata.bind': `/sdkmessagefilters(${String(filter['sdkmessagefilterid'])})`,
      'eventhandler_serviceendpoint@odata.bind': `/serviceendpoints(${endpointId})`,
    };
    const step = await first(client, 'sdkmessageprocessingsteps', ['sdkmessageprocessingstepid'], `name eq ${literal(stepName)}`);
    if (step !== undefined) {
      await client.api({ method: 'PATCH', path: `sdkmessageprocessingsteps(${String(step['sdkmessageprocessingstepid'])})`, json: stepFields, headers: { 'if-match': '*' } });
      continue;
    }
    const stepId = entityIdOf(await client.api({ method: 'POST', path: 'sdkmessageprocessingsteps', json: stepFields }));
    if (message !== 'Delete' && stepId !== undefined) {
      await client.api({
        method: 'POST',
        path: 'sdkmessageprocessingstepimages',
        json: { name: 'PostImage', entityalias: 'PostImage', imagetype: 1, messagepropertyname: message === 'Create' ? 'Id' : 'Target', 'sdkmessageprocessingstepid@odata.bind': `/sdkmessageprocessingsteps(${stepId})` },
      });
    }
  }
  return endpointId;
}

async function first(client: DynamicsClient, entitySet: string, select: readonly string[], filter: string): Promise<Record<string, unknown> | undefined> {
  for await (const row of queryRecords(client, { entitySet, select, filter, pageSize: 1 })) return row;
  return undefined;
}
