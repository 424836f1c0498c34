/**
 * A server for API tests: store, engine (worker off unless asked), the HTTP app driven by
 * `inject`, an API key per role, and optionally the connector clients of the seeded sandboxes
 * with lead-to-order registered.
 */
import type { FastifyInstance } from 'fastify';
import { systemClock, type Clock } from '../core/clock.ts';
import { loadConfig } from '../core/config.ts';
import { Engine } from '../engine/engine.ts';
import { FlowRegistry } from '../engine/flows/registry.ts';
import type { FlowDefinition } from '../flows/define-flow.ts';
import type { LeadToOrderDeps } from '../flows/lead-to-order/deps.ts';
import { leadToOrderFlow } from '../flows/lead-to-order/flow.ts';
import { ApiKeys } from '../security/api-keys.ts';
import { AuditLog } from '../security/audit-log.ts';
import type { MasterKey } from '../security/master-key.ts';
import { ROLES, type Role } from '../security/roles.ts';
import type { Store } from '../store/store.ts';
import { silentLog } from '../../test/support/engine-fixtures.ts';
import { buildServer } from './server.ts';

/** A built test server. */
export interface ApiHarness {
  app: FastifyInstance;
  engine: Engine;
  /** An API key of each role. */
  keys: Record<Role, string>;
  /** Authorization headers for `role`. */
  auth(role: Role): { authorization: string };
  close(): Promise<void>;
}

/** Builds the server on `store`; with `systems`, registers lead-to-order on them. */
export async function startApi(
  store: Store,
  options: {
    systems?: LeadToOrderDeps;
    clock?: Clock;
    masterKey?: () => MasterKey;
    values?: Record<string, unknown>;
    /** Connectors set after loading, past its checks (e.g. AvaTax beside SAP, without the first story's four). */
    connectors?: Record<string, unknown>;
    /** More flows to register (e.g. the manufacturer's lead-to-order). */
    flows?: readonly FlowDefinition[];
  } = {},
): Promise<ApiHarness> {
  const clock = options.clock ?? systemClock;
  const loaded = loadConfig({
    values: { worker: { poll: '50ms', lease: '30s' }, outbound: { allow: ['127.0.0.1'] }, admin: { token: 'a-long-enough-bootstrap-token', rateLimit: { perSecond: 10_000, burst: 10_000 } }, ...options.values },
    env: {},
  });
  const config = options.connectors === undefined ? loaded : { ...loaded, connectors: { ...loaded.connectors, ...options.connectors } };
  const flows = new FlowRegistry();
  if (options.systems !== undefined) flows.register(leadToOrderFlow(options.systems));
  for (const flow of options.flows ?? []) flows.register(flow);
  const engine = new Engine({ store, config, clock, log: silentLog, flows });
  const app = await buildServer({ config, store, engine, log: silentLog, clock, systems: options.systems, masterKey: options.masterKey });
  await app.ready();
  const issuer = new ApiKeys(store, new AuditLog(store, clock), clock);
  const keys = {} as Record<Role, string>;
  for (const role of ROLES) keys[role] = (await issuer.create({ role, label: `test ${role}`, actor: 'test' })).key;
  return {
    app,
    engine,
    keys,
    auth: (role) => ({ authorization: `Bearer ${keys[role]}` }),
    close: async () => {
      await app.close();
      await engine.stop();
    },
  };
}
