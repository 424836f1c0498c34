/**
 * Compiles a mapping spec, once: checked and planned (plan.ts), then turned into one generated
 * function (generate.ts). Where the host forbids generating code from strings, or a caller asks
 * for it, the same plan runs as closures instead (interpret.ts), with the same results. Outputs are
 * checked against the spec's contract less what the rules guarantee (output-check.ts).
 */
import type { ValidateFunction } from 'ajv/dist/2020.js';
import { validatorFor } from '../canonical/catalogue.ts';
import type { Compiled } from './builders.ts';
import { generate } from './generate.ts';
import { interpret } from './interpret.ts';
import { outputValidator } from './output-check.ts';
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

/** A compiled mapping: the producer of the target object, and the check of its outputs. */
export interface CompiledMapping {
  /** Maps one record. */
  readonly compiled: Compiled;
  /** Checks an output against the spec's `validate` contract, if it names one. */
  readonly validate: ValidateFunction | undefined;
}

/**
 * Compiles a spec: one producer of the target object, and its contract check without the checks
 * the rules guarantee (the whole contract with `generate: false`).
 */
export function compileSpec(spec: MappingSpec, locate: Locator, options: CompileOptions = {}): CompiledMapping {
  const plan = planSpec(spec, locate, options);
  const generated = options.generate === false ? undefined : generate(plan);
  const subject = spec.validate;
  if (generated === undefined) return { compiled: interpret(plan), validate: subject === undefined ? undefined : validatorFor(subject) };
  return { compiled: generated, validate: subject === undefined ? undefined : outputValidator(subject, plan) };
}
