/**
 * What every long-running command needs: the configuration, a logger, the store and the engine,
 * opened in that order and closed in reverse, with a clean stop on SIGINT and SIGTERM.
 */
import { systemClock } from '../core/clock.ts';
import { loadConfig, type Config } from '../core/config.ts';
import { createLogger, type Logger } from '../core/logger.ts';
import { Engine } from '../engine/engine.ts';
import { builtInFlows } from '../flows/index.ts';
import { openStore } from '../store/open-store.ts';
import { resolveConfigSecrets } from '../security/config-secrets.ts';

export { untilSignal } from './signals.ts';
import type { Store } from '../store/store.ts';

/** An opened runtime. */
export interface Runtime {
  config: Config;
  log: Logger;
  store: Store;
  engine: Engine;
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
  const engine = new Engine({ store, config, clock: systemClock, log, flows: builtInFlows() });
  return {
    config,
    log,
    store,
    engine,
    async close() {
      await engine.stop();
      await store.close();
      log.flush();
    },
  };
}
