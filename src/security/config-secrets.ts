/**
 * The start-up step that turns `secret://name` references in the loaded configuration into
 * values, from the deployment's encrypted secrets. The master key is loaded only when the
 * configuration refers to a secret, so a deployment without secrets needs none.
 */
import { systemClock, type Clock } from '../core/clock.ts';
import type { Config } from '../core/config.ts';
import type { Store } from '../store/store.ts';
import { AuditLog } from './audit-log.ts';
import { loadMasterKey } from './master-key.ts';
import { findSecretRefs, resolveSecretRefs } from './secret-refs.ts';
import { Secrets } from './secrets.ts';

/** Options of {@link resolveConfigSecrets}. */
export interface ResolveOptions {
  /** Where `INTERLOCK_MASTER_KEY(_FILE)` is read. @default process.env */
  env?: Readonly<Record<string, string | undefined>>;
  clock?: Clock;
}

/** `config` with every secret reference resolved (the same object when it has none). */
export async function resolveConfigSecrets(config: Config, store: Store, options: ResolveOptions = {}): Promise<Config> {
  if (findSecretRefs(config).length === 0) return config;
  const clock = options.clock ?? systemClock;
  const secrets = new Secrets(store, new AuditLog(store, clock), clock, loadMasterKey(options.env ?? process.env));
  return resolveSecretRefs(config, (name) => secrets.reveal(name));
}
