/**
 * Compatibility modes and what makes a change breaking under each, as schema registries define
 * them. Every difference between two versions is described by what it does to the set of
 * documents the schema accepts: it *narrows* (new rejects something old accepted) and/or *widens*
 * (new accepts something old rejected).
 *
 * - backward: readers on the new version must read data written with the old one → narrowing breaks.
 * - forward: readers still on the old version must read data written with the new one → widening breaks.
 * - full: both. none: nothing is checked.
 */

/** The compatibility mode of a subject. */
export type CompatibilityMode = 'backward' | 'forward' | 'full' | 'none';

/** Every mode, for validation of user input. */
export const COMPATIBILITY_MODES: readonly CompatibilityMode[] = ['backward', 'forward', 'full', 'none'];

/** The kinds of difference the checker recognises. */
export type ChangeKind =
  | 'property-removed'
  | 'property-added'
  | 'required-property-added'
  | 'property-made-required'
  | 'property-made-optional'
  | 'type-narrowed'
  | 'type-widened'
  | 'type-changed'
  | 'enum-value-removed'
  | 'enum-value-added'
  | 'const-changed'
  | 'format-added'
  | 'format-changed'
  | 'format-removed'
  | 'pattern-added'
  | 'pattern-changed'
  | 'pattern-removed'
  | 'constraint-tightened'
  | 'constraint-loosened'
  | 'additional-properties-closed'
  | 'additional-properties-opened'
  | 'branch-added'
  | 'branch-removed'
  | 'schema-replaced'
  | 'annotation-changed';

/** One difference between two versions of a schema. */
export interface Change {
  /** What changed. */
  kind: ChangeKind;
  /** JSON pointer into the schema document, e.g. `/properties/lines/items/properties/quantity`. */
  pointer: string;
  /** Human summary, e.g. `type string → integer`. */
  detail: string;
  /** New version rejects documents the old one accepted. */
  narrows: boolean;
  /** New version accepts documents the old one rejected. */
  widens: boolean;
}

/** Whether `change` is breaking under `mode`. */
export function isBreaking(change: Change, mode: CompatibilityMode): boolean {
  switch (mode) {
    case 'backward':
      return change.narrows;
    case 'forward':
      return change.widens;
    case 'full':
      return change.narrows || change.widens;
    case 'none':
      return false;
  }
}

/** The verdict of comparing two versions under a mode. */
export interface CompatibilityReport {
  /** The mode applied. */
  mode: CompatibilityMode;
  /** Every difference found, in schema order. */
  changes: Change[];
  /** The differences that break the mode. */
  breaking: Change[];
  /** True when nothing breaks. */
  compatible: boolean;
}

/** Applies `mode` to a list of changes. */
export function judge(changes: Change[], mode: CompatibilityMode): CompatibilityReport {
  const breaking = changes.filter((c) => isBreaking(c, mode));
  return { mode, changes, breaking, compatible: breaking.length === 0 };
}

/**
 * The semver bump a set of changes calls for: major when anything narrows (existing data or
 * readers break), minor when anything is only added or loosened, patch for annotations only.
 */
export function requiredBump(changes: readonly Change[]): 'major' | 'minor' | 'patch' | 'none' {
  if (changes.length === 0) return 'none';
  if (changes.some((c) => c.narrows)) return 'major';
  if (changes.some((c) => c.widens)) return 'minor';
  return 'patch';
}
