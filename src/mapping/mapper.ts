/**
 * A compiled mapping, ready to run over batches of records. Lookups missing from the run's cache
 * are resolved for the whole batch at once and the affected records mapped again; a record that
 * fails is parked with its id, the field path and the rule, and is never returned as mapped.
 */
import type { ValidateFunction } from 'ajv/dist/2020.js';
import { validatorFor } from '../canonical/catalogue.ts';
import { permanentError, toInterlockError } from '../core/errors.ts';
import type { Compiled, RecordContext } from './builders.ts';
import { FieldFailure } from './builders.ts';
import { compileGetter } from './path.ts';
import type { MappingSpec } from './spec.ts';
import { MemoryXrefRepository, XrefCache } from './xref.ts';
import type { XrefRepository, XrefRequest } from './xref.ts';

/** A record that could not be mapped, with why. */
export interface ParkedRecord {
  /** The mapping that refused it. */
  mapping: string;
  /** The record's id (the spec's `recordId` path), or `#<index>` when it has none. */
  recordId: string;
  /** Target field path, e.g. `lines[2].unitPrice.amount`; empty for whole-record failures. */
  field: string;
  /** The rule that refused the value: `required`, `map: stage`, `as: decimal`, `lookup: …`, `contract: order`. */
  rule: string;
  /** Human-readable reason, naming record, field and rule. */
  reason: string;
  /** The input record, unchanged, so it can be fixed and replayed. */
  record: unknown;
}

/** The outcome of mapping a batch. */
export interface BatchResult<T = unknown> {
  /** Mapped records, in input order, without the parked ones. */
  mapped: Array<{ recordId: string; output: T }>;
  /** Records that failed, with reasons. */
  parked: ParkedRecord[];
}

/** Options for one run. */
export interface RunOptions {
  /** Where missing lookups are resolved. @default an empty in-memory repository */
  xref?: XrefRepository;
  /** A cache to reuse across batches of one run (preloaded in benchmarks). @default a new cache */
  cache?: XrefCache;
  /**
   * Check each output against the spec's `validate` contract. Turn off only where the output is
   * validated again downstream. @default true
   */
  validate?: boolean;
}

interface Slot<T> {
  recordId: string;
  output?: T;
  parked?: ParkedRecord;
  misses?: XrefRequest[];
}

/** Formats a field path as `lines[2].unitPrice.amount`. */
export function formatPath(path: ReadonlyArray<string | number>): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? p : `.${p}`;
  return out;
}

/** A compiled mapping. Build one with `loadMapping` / `loadMappingFile`. */
export class Mapper {
  /** The mapping's spec, as loaded. */
  readonly spec: MappingSpec;
  /** The file it came from. */
  readonly file: string;
  readonly #compiled: Compiled;
  readonly #recordId: (s: unknown) => unknown;
  readonly #validate: ValidateFunction | undefined;

  /**
   * Wraps a compiled spec; use the loaders instead of calling this. `validate` checks outputs
   * against the spec's contract. @default the whole contract
   */
  constructor(spec: MappingSpec, compiled: Compiled, file: string, validate?: ValidateFunction) {
    this.spec = spec;
    this.file = file;
    this.#compiled = compiled;
    this.#recordId = compileGetter(spec.recordId);
    this.#validate = validate ?? (spec.validate === undefined ? undefined : validatorFor(spec.validate));
  }

  /** The mapping's name. */
  get name(): string {
    return this.spec.mapping;
  }

  /** Whether any rule needs an expression (and so maps asynchronously). */
  get usesExpressions(): boolean {
    return this.#compiled.async;
  }

  /** Maps one record; throws a `validation` error naming record, field and rule when it fails. */
  async mapOne<T = unknown>(record: unknown, options: RunOptions = {}): Promise<T> {
    const { mapped, parked } = await this.mapBatch<T>([record], options);
    const first = mapped[0];
    if (first !== undefined) return first.output;
    const p = parked[0];
    throw permanentError(p?.reason ?? `${this.name}: record not mapped`, {
      details: { recordId: p?.recordId, field: p?.field, rule: p?.rule },
    });
  }

  /** Maps a batch, resolving missing lookups in one pass per lookup pair. */
  async mapBatch<T = unknown>(records: readonly unknown[], options: RunOptions = {}): Promise<BatchResult<T>> {
    const cache = options.cache ?? new XrefCache();
    const validate = options.validate === false ? undefined : this.#validate;
    // One context for the batch: records are mapped one after another, never interleaved.
    const ctx: RecordContext = { root: undefined, xref: cache, misses: [], position: 0 };
    const slots = new Array<Slot<T>>(records.length);
    const retry: number[] = [];
    for (let i = 0; i < records.length; i++) {
      const attempt = this.#attempt<T>(records[i], i, ctx, validate);
      const slot = attempt instanceof Promise ? await attempt : attempt;
      slots[i] = slot;
      if (slot.misses !== undefined) retry.push(i);
    }
    if (retry.length > 0) {
      await cache.resolve(retry.flatMap((i) => slots[i]?.misses ?? []), options.xref ?? new MemoryXrefRepository());
      for (const i of retry) slots[i] = await this.#attempt<T>(records[i], i, ctx, validate);
    }
    const result: BatchResult<T> = { mapped: [], parked: [] };
    for (const s of slots) {
      if (s.parked !== undefined) result.parked.push(s.parked);
      else if (s.output !== undefined) result.mapped.push(s as { recordId: string; output: T });
    }
    return result;
  }

  #attempt<T>(record: unknown, index: number, ctx: RecordContext, validate: ValidateFunction | undefined): Slot<T> | Promise<Slot<T>> {
    const rawId = this.#recordId(record);
    const recordId = typeof rawId === 'string' ? rawId : typeof rawId === 'number' ? String(rawId) : `#${index}`;
    ctx.root = record;
    ctx.position = 0;
    // Synchronous mappings (no expressions) stay free of promises: that is most of the speed.
    if (!this.#compiled.async) {
      try {
        return this.#finish<T>(record, recordId, ctx, validate, this.#compiled.fn(record, ctx));
      } catch (err) {
        ctx.misses = [];
        return this.#failed(record, recordId, err);
      }
    }
    return (async () => {
      try {
        return this.#finish<T>(record, recordId, ctx, validate, await this.#compiled.fn(record, ctx));
      } catch (err) {
        ctx.misses = [];
        return this.#failed(record, recordId, err);
      }
    })();
  }

  #finish<T>(record: unknown, recordId: string, ctx: RecordContext, validate: ValidateFunction | undefined, output: unknown): Slot<T> {
    if (ctx.misses.length > 0) {
      const misses = ctx.misses;
      ctx.misses = [];
      return { recordId, misses };
    }
    if (validate !== undefined && !validate(output)) {
      const e = validate.errors?.[0];
      const field = (e?.instancePath ?? '').split('/').slice(1).map((p) => (/^\d+$/.test(p) ? Number(p) : p));
      const rule = `contract: ${this.spec.validate}`;
      return { recordId, parked: this.#park(record, recordId, formatPath(field), rule, e?.message ?? 'invalid') };
    }
    return { recordId, output: output as T };
  }

  #failed<T>(record: unknown, recordId: string, err: unknown): Slot<T> {
    if (err instanceof FieldFailure) {
      return { recordId, parked: this.#park(record, recordId, formatPath(err.path), err.rule, err.message) };
    }
    const e = toInterlockError(err);
    return { recordId, parked: this.#park(record, recordId, '', e.code, e.message) };
  }

  #park(record: unknown, recordId: string, field: string, rule: string, message: string): ParkedRecord {
    const reason = `${this.spec.mapping}: record ${recordId}: field ${field === '' ? '(record)' : field}: rule ${rule}: ${message}`;
    return { mapping: this.spec.mapping, recordId, field, rule, reason, record };
  }
}
