/**
 * The sandbox kit: what every vendor sandbox is built from. A vendor folder imports from here
 * only: its factory comes from {@link defineSandbox}, its faults from the shared controller.
 */
export type {
  FaultErrorKind,
  FaultSettings,
  RenderError,
  RenderedError,
  SandboxFactory,
  SandboxInstance,
  SandboxStartOptions,
} from './types.ts';
export { ADMIN_PREFIX, DEFAULT_FAULT_SEED, FaultController, sendRendered } from './fault-controller.ts';
export type { FaultControllerOptions } from './fault-controller.ts';
export { NO_FAULTS, parseFaultPatch, parseFaultSettings } from './fault-settings.ts';
export { EventDelivery } from './event-delivery.ts';
export type { DeliveryRecord, EventDeliveryOptions, OutboundEvent } from './event-delivery.ts';
export { openStateStore } from './state-store.ts';
export type { Collection, StateStore } from './state-store.ts';
export { defineSandbox, sandboxServerOptions, startSandbox } from './sandbox-server.ts';
export type { SandboxContext, SandboxDefinition } from './sandbox-server.ts';
export { seededRandom, shuffled } from './random.ts';
export { acceptVendorBodies } from './body-parsers.ts';
export type { Random } from './random.ts';
