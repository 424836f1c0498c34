/**
 * The flow registry: every registered version of every flow. New runs take a flow's newest
 * version; a run continues on the version it started with, so an old version stays registered
 * while runs of it are active (removing it is refused then).
 */
import { conflictError, notFoundError, validationError } from '../../core/errors.ts';
import type { EventTrigger, FlowDefinition } from '../../flows/define-flow.ts';
import type { Store } from '../../store/store.ts';
import { ACTIVE_STATUSES } from './run-rows.ts';

/** Flows by name and version. */
export class FlowRegistry {
  readonly #flows = new Map<string, Map<number, FlowDefinition>>();

  /** Adds `flow`; registering the same name and version twice is an error. */
  register(flow: FlowDefinition<never, unknown> | FlowDefinition): this {
    const versions = this.#flows.get(flow.name) ?? new Map<number, FlowDefinition>();
    if (versions.has(flow.version)) throw validationError(`flow "${flow.name}" version ${flow.version} is registered already`);
    versions.set(flow.version, flow as FlowDefinition);
    this.#flows.set(flow.name, versions);
    return this;
  }

  /** The newest version of `name`; throws `not-found`. */
  latest(name: string): FlowDefinition {
    const versions = this.#flows.get(name);
    if (versions === undefined || versions.size === 0) throw notFoundError(`no flow named "${name}" is registered`);
    return versions.get(Math.max(...versions.keys()))!;
  }

  /** Version `version` of `name`, if registered. */
  get(name: string, version: number): FlowDefinition | undefined {
    return this.#flows.get(name)?.get(version);
  }

  /** Whether any registered version of `name` queues second triggers (so ending a run may start a queued one). */
  mayQueue(name: string): boolean {
    return [...(this.#flows.get(name)?.values() ?? [])].some((f) => f.concurrency === 'queue');
  }

  /** The newest version of every flow. */
  all(): FlowDefinition[] {
    return [...this.#flows.keys()].map((n) => this.latest(n));
  }

  /** Newest flows started by events of `source` and `type`, with the trigger that matched. */
  triggeredBy(source: string, type: string): Array<{ flow: FlowDefinition; trigger: EventTrigger }> {
    const out: Array<{ flow: FlowDefinition; trigger: EventTrigger }> = [];
    for (const flow of this.all()) {
      for (const trigger of flow.triggers) if (trigger.source === source && trigger.type === type) out.push({ flow, trigger });
    }
    return out;
  }

  /** Removes an old version; refused (`conflict`) while runs of it are active or queued. */
  async unregister(store: Store, name: string, version: number): Promise<void> {
    if (this.get(name, version) === undefined) throw notFoundError(`flow "${name}" has no version ${version}`);
    const active = await store.db
      .selectFrom('flow_runs')
      .select('id')
      .where('flow', '=', name)
      .where('version', '=', version)
      .where('status', 'in', [...ACTIVE_STATUSES, 'queued'])
      .limit(1)
      .executeTakeFirst();
    if (active !== undefined) throw conflictError(`flow "${name}" version ${version} still has active runs (e.g. run ${active.id})`);
    this.#flows.get(name)?.delete(version);
  }
}
