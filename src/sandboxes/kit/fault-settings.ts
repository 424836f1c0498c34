/**
 * Fault settings: their defaults (no faults) and the one validating function that admin input and
 * start options go through, so a bad setting is refused with a message naming the field.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { validationError } from '../../core/errors.ts';
import type { FaultSettings } from './types.ts';

const Rate = Type.Number({ minimum: 0, maximum: 1 });

/** JSON schema of a partial fault settings object (a PATCH body, or start options). */
export const FaultSettingsPatchSchema = Type.Object(
  {
    latencyMs: Type.Optional(Type.Number({ minimum: 0, maximum: 600_000 })),
    errorRate: Type.Optional(Rate),
    rateLimit: Type.Optional(
      Type.Union([Type.Object({ burst: Type.Integer({ minimum: 0 }) }, { additionalProperties: false }), Type.Null()]),
    ),
    maintenance: Type.Optional(Type.Boolean()),
    dropResponseRate: Type.Optional(Rate),
    duplicateEventRate: Type.Optional(Rate),
    outOfOrderEvents: Type.Optional(Type.Boolean()),
    tokenTtlSeconds: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()])),
  },
  { additionalProperties: false },
);

/** A validated partial of {@link FaultSettings}. */
export type FaultSettingsPatch = Static<typeof FaultSettingsPatchSchema>;

/** The settings of a sandbox with no faults. */
export const NO_FAULTS: Readonly<FaultSettings> = Object.freeze({
  latencyMs: 0,
  errorRate: 0,
  rateLimit: null,
  maintenance: false,
  dropResponseRate: 0,
  duplicateEventRate: 0,
  outOfOrderEvents: false,
  tokenTtlSeconds: null,
});

/**
 * Checks `input` as a partial of {@link FaultSettings}; throws a `validation` InterlockError
 * naming the first bad field (e.g. `errorRate: Expected number to be less or equal to 1`).
 */
export function parseFaultPatch(input: unknown): Partial<FaultSettings> {
  if (Value.Check(FaultSettingsPatchSchema, input)) return input;
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw validationError('fault settings must be a JSON object');
  }
  const first = Value.Errors(FaultSettingsPatchSchema, input).First();
  const field = first?.path.replace(/^\//, '').replaceAll('/', '.') || '(root)';
  const known = Object.keys(NO_FAULTS).join(', ');
  const message =
    first === undefined
      ? 'invalid fault settings'
      : first.message.startsWith('Unexpected property')
        ? `unknown fault setting "${field}"; known settings: ${known}`
        : `${field}: ${first.message}`;
  throw validationError(message, { details: { field } });
}

/** Checks a complete settings object (a PUT body): missing fields take the no-fault defaults. */
export function parseFaultSettings(input: unknown): FaultSettings {
  return { ...NO_FAULTS, ...parseFaultPatch(input) };
}
