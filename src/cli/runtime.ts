/**
 * What every long-running command needs: the configuration, a logger, the store, the story's
 * systems (when `connectors` configures them), the engine with the built-in flows and, in a
 * worker, the connectors' triggers and the scheduled batch syncs — opened in that order and
 * closed in reverse, with a clean stop on SIGINT and SIGTERM.
 */
import { systemClock } from '../core/clock.ts';
import { loadConfig, type Config } from '../core/config.ts';
import { createLogger, type Logger } from '../core/logger.ts';
import { CursorStore } from '../connectors/kit/cursor-store.ts';
import { ChangeDataCaptureSubscriber } from '../connectors/salesforce/triggers/change-data-capture.ts';
import { closedWonTrigger } from '../connectors/salesforce/triggers/closed-won.ts';
import { validationError } from '../core/errors.ts';
import { Engine } from '../engine/engine.ts';
import { TriggerPump } from '../engine/trigger-pump.ts';
import { builtInFlows } from '../flows/index.ts';
import type { LeadToOrderDeps } from '../flows/lead-to-order/deps.ts';
import { openStorySystems } from '../flows/story.ts';
import { registerWebhook } from '../connectors/dynamics/actions/register-webhook.ts';
import type { ManufacturerDeps } from '../flows/manufacturer/deps.ts';
import { openManufacturerSystems } from '../flows/manufacturer/story.ts';
import { openStore } from '../store/open-store.ts';
import { setMetricsEnabled } from '../observability/metrics.ts';
import { startTracing } from '../observability/tracing.ts';
import { resolveConfigSecrets } from '../security/config-secrets.ts';
import { SyncScheduler } from '../sync/batch/scheduler.ts';

export { untilSignal } from './signals.ts';
import type { Store } from '../store/store.ts';

/** An opened runtime. */
export interface Runtime {
  config: Config;
  log: Logger;
  store: Store;
  engine: Engine;
  /** The story's connector clients, when configured. */
  systems: LeadToOrderDeps | undefined;
  /** The manufacturer story's clients (Dynamics 365, SAP, Avalara), when configured. */
  manufacturer: ManufacturerDeps | undefined;
  /** Runs the worker, the connectors' pull triggers and the scheduled syncs in this process. */
  startWorker(): Promise<void>;
  close(): Promise<void>;
}

/** Opens the runtime for `configFile` (or `interlock.yaml` / the environment), or for `values`. */
export async function openRuntime(options: { configFile?: string | undefined; values?: unknown }): Promise<Runtime> {
  const loaded = loadConfig({ file: options.configFile, values: options.values });
  const store = await openStore(loaded.store);
  // `secret://name` references become values only now, from the store's encrypted secrets.
  const config = await resolveConfigSecrets(loaded, store).catch(async (err: unknown) => {
    await store.close();
    throw err;
  });
  const log = createLogger(config.log.level);
  setMetricsEnabled(config.observability.metrics);
  const tracing = startTracing(config.observability);
  const systems = await openStorySystems(config);
  const manufacturer = await openManufacturerSystems(config);
  const flows = builtInFlows(systems, store, manufacturer === undefined ? undefined : { systems: manufacturer, publishTo: config.flows.manufacturer.publishTo });
  const engine = new Engine({ store, config, clock: systemClock, log, flows });
  const pumps: TriggerPump[] = [];
  const cdc = config.connectors.salesforce?.changeDataCapture;
  if (systems !== undefined && cdc?.enabled === true) {
    const subscriber = new ChangeDataCaptureSubscriber(systems.salesforce, {
      cursors: new CursorStore(store, 'salesforce'),
      topic: cdc.topic,
      startFrom: cdc.startFrom,
    });
    pumps.push(new TriggerPump({ trigger: closedWonTrigger(systems.salesforce, subscriber), inbox: engine.inbox, log }));
  }
  const scheduler =
    systems !== undefined && config.sync.enabled
      ? await syncScheduler(config, store, systems, log).catch(async (err: unknown) => {
          await systems.close();
          await store.close();
          await tracing.stop();
          throw err;
        })
      : undefined;
  return {
    config,
    log,
    store,
    engine,
    systems,
    manufacturer,
    async startWorker() {
      await engine.startWorker();
      if (manufacturer !== undefined) await registerDynamicsWebhook(config, manufacturer, log);
      for (const pump of pumps) pump.start();
      await scheduler?.start();
    },
    async close() {
      await scheduler?.stop();
      // No grace for a CDC long poll in flight: closing the Salesforce client below aborts it after
      // its own grace, and a batch fetched but not acknowledged simply comes again next start.
      // Waiting here too made every stop a quarter second longer.
      await Promise.all(pumps.map((p) => p.stop(0)));
      await engine.stop();
      await systems?.close();
      await manufacturer?.close();
      await store.close();
      await tracing.stop();
      log.flush();
    },
  };
}

// The tables whose changes may start or wake a manufacturer run (see won-opportunity.ts).
const DYNAMICS_WEBHOOK_TABLES = [
  { table: 'opportunity', messages: ['Update'] as const },
  { table: 'opportunityproduct', messages: ['Create', 'Update'] as const },
  { table: 'account', messages: ['Update'] as const },
];

/**
 * Registers `/hooks/dynamics` with Dataverse when `connectors.dynamics.webhook.url` is given
 * (idempotent: the endpoint and steps are found by name). A failure is logged, not fatal: the
 * registration of an earlier start keeps delivering.
 */
async function registerDynamicsWebhook(config: Config, manufacturer: ManufacturerDeps, log: Logger): Promise<void> {
  const webhook = config.connectors.dynamics?.webhook;
  if (webhook?.url === undefined) return;
  try {
    for (const { table, messages } of DYNAMICS_WEBHOOK_TABLES) {
      await registerWebhook(manufacturer.dynamics, { name: webhook.name ?? 'Interlock', url: webhook.url, key: webhook.key, table, messages });
    }
    log.info({ url: webhook.url }, 'Dynamics 365 webhook registered');
  } catch (err) {
    log.error({ err, url: webhook.url }, 'Dynamics 365 webhook registration failed; notifications reach Interlock only through an earlier registration');
  }
}

/** The batch syncs' scheduler over the story's systems, with the configured schedules. */
async function syncScheduler(config: Config, store: Store, systems: LeadToOrderDeps, log: Logger): Promise<SyncScheduler> {
  const { SYNCS } = await import('../sync/batch/syncs/index.ts');
  for (const name of Object.keys(config.sync.schedules)) {
    if (SYNCS[name] === undefined) throw validationError(`config: key "sync.schedules.${name}" names no sync; syncs: ${Object.keys(SYNCS).join(', ')}`);
  }
  // The scheduler validates each cron expression and names the key of a bad one.
  return new SyncScheduler({ store, clock: systemClock, systems, log, crons: config.sync.schedules });
}
