/**
 * Loads a mapping file: parses the YAML keeping line numbers, checks it against the mapping schema,
 * and compiles it. Every problem is a `validation` error that names the file, the line and the key.
 */
import { readFile } from 'node:fs/promises';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject } from 'ajv/dist/2020.js';
import { isNode, LineCounter, parseDocument } from 'yaml';
import type { Document } from 'yaml';
import { InterlockError, toInterlockError, validationError } from '../core/errors.ts';
import type { CompileOptions, Locator } from './compile.ts';
import { compileSpec } from './compile.ts';
import { Mapper } from './mapper.ts';
import { MappingSpecSchema } from './spec.ts';
import type { MappingSpec } from './spec.ts';

const validateSpec = new Ajv2020({ allErrors: true, strict: false }).compile(MappingSpecSchema);

/** Parses and compiles mapping YAML `text`; `file` is used in error messages only. */
export function loadMapping(text: string, file: string, options: CompileOptions = {}): Mapper {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  const firstError = doc.errors[0];
  if (firstError !== undefined) {
    const pos = lines.linePos(firstError.pos[0]);
    throw validationError(`${file}:${pos.line}:${pos.col}: invalid YAML: ${firstError.message.split('\n')[0]}`, {
      details: { file, line: pos.line },
    });
  }
  const locate: Locator = (key, err) => {
    const base = toInterlockError(err);
    const pos = position(doc, lines, key);
    const where = pos === undefined ? file : `${file}:${pos.line}:${pos.col}`;
    const keyText = key.join('.');
    return validationError(`${where}: ${keyText}: ${base.message}`, {
      cause: err,
      details: { file, line: pos?.line, key: keyText },
    });
  };
  let spec: unknown;
  try {
    // Bounded alias expansion: a few lines of anchors must not expand into gigabytes.
    spec = doc.toJS({ maxAliasCount: 50 });
  } catch (err) {
    throw validationError(`${file}: ${(err as Error).message}`, { cause: err, details: { file } });
  }
  if (!validateSpec(spec)) {
    const e = mostSpecific(validateSpec.errors ?? []);
    const key = (e?.instancePath ?? '').split('/').slice(1).map(unescapePointer);
    const extra = e?.params !== undefined && 'additionalProperty' in e.params ? ` "${String(e.params.additionalProperty)}"` : '';
    throw locate(key, validationError(`${e?.message ?? 'invalid'}${extra}`));
  }
  const { compiled, validate } = compileSpec(spec as MappingSpec, locate, options);
  return new Mapper(spec as MappingSpec, compiled, file, validate);
}

/** Reads and loads a mapping file. */
export async function loadMappingFile(path: string, options: CompileOptions = {}): Promise<Mapper> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw validationError(`cannot read mapping ${path}: ${(err as Error).message}`, { cause: err });
  }
  return loadMapping(text, path, options);
}

function position(doc: Document, lines: LineCounter, key: ReadonlyArray<string | number>): { line: number; col: number } | undefined {
  // Walk up until a node exists: an error about a missing key is reported at its parent.
  for (let n = key.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(key.slice(0, n), true);
    if (isNode(node) && node.range !== undefined && node.range !== null) return lines.linePos(node.range[0]);
  }
  return undefined;
}

// A rule is a union (path text or object), so the schema reports every branch; the deepest error,
// preferring an unknown key, is the one that names what the author got wrong.
function mostSpecific(errors: readonly ErrorObject[]): ErrorObject | undefined {
  let best: ErrorObject | undefined;
  const score = (e: ErrorObject): number =>
    e.instancePath.split('/').length * 10 + (e.keyword === 'additionalProperties' ? 5 : e.keyword === 'type' ? 0 : 2);
  for (const e of errors) if (best === undefined || score(e) > score(best)) best = e;
  return best;
}

function unescapePointer(s: string): string {
  return s.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** Whether `err` is a mapping-file error produced by {@link loadMapping}. */
export function isMappingFileError(err: unknown): err is InterlockError {
  return err instanceof InterlockError && typeof err.details?.['file'] === 'string';
}
