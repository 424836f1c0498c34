/**
 * Compiles a mapping spec, once: checked and planned (plan.ts), then turned into one generated
 * function (generate.ts). Where the host forbids generating code from strings, or a caller asks
 * for it, the same plan runs as closures instead (interpret.ts), with the same results.
 */
import type { Compiled } from './builders.ts';
import { generate } from './generate.ts';
import { interpret } from './interpret.ts';
import { planSpec } from './plan.ts';
import type { Locator, PlanOptions } from './plan.ts';
import type { MappingSpec } from './spec.ts';

export type { Locator } from './plan.ts';

/** Options for {@link compileSpec}. */
export interface CompileOptions extends PlanOptions {
  /**
   * Generate a specialised function for the mapping; `false` runs the plan as closures (slower,
   * same results). @default true
   */
  generate?: boolean;
}

/** Compiles the `fields` of a spec into one producer of the target object. */
export function compileSpec(spec: MappingSpec, locate: Locator, options: CompileOptions = {}): Compiled {
  const plan = planSpec(spec, locate, options);
  return (options.generate === false ? undefined : generate(plan)) ?? interpret(plan);
}
