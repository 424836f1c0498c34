/**
 * Golden fixtures: a mapping folder holds `*.fixtures.yaml` files, each naming a mapping, the
 * cross-references it may look up, and cases (input → expected canonical output, or the field and
 * rule that must park it). With `reverse:` each case is also mapped back and must reproduce the
 * input's values: the vendor → canonical → vendor round trip.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { validationError } from '../core/errors.ts';
import type { FieldDifference } from './field-diff.ts';
import { fieldDiff, subsetDiff } from './field-diff.ts';
import { loadMappingFile } from './load.ts';
import type { Mapper } from './mapper.ts';
import { MemoryXrefRepository } from './xref.ts';
import type { XrefLink } from './xref.ts';

/** One case of a fixture file. */
export interface FixtureCase {
  /** What the case shows. */
  name: string;
  /** The source record. */
  input: unknown;
  /** The expected output, when the record must map. */
  expected?: unknown;
  /**
   * What mapping back must produce, when the way back writes a different shape than the vendor
   * reads (create parameters rather than the object). Without it, mapping back must reproduce
   * every value of `input` it writes.
   */
  back?: unknown;
  /** The expected refusal, when the record must be parked. */
  parked?: { field: string; rule: string };
}

/** A fixture file. */
export interface FixtureFile {
  /** Mapping file, relative to the fixture file. */
  mapping: string;
  /** Mapping back (target → source) for the round trip, relative to the fixture file. */
  reverse?: string;
  /** Cross-references available to lookups. */
  xrefs?: XrefLink[];
  /** The cases. */
  cases: FixtureCase[];
}

/** The result of one case. */
export interface CaseResult {
  /** `<fixture file>: <case name>`. */
  name: string;
  /** Whether the case passed. */
  passed: boolean;
  /** Field-level differences, when the output differed. */
  differences: FieldDifference[];
  /** Other failure (parked unexpectedly, not parked when it should be, round trip). */
  message?: string;
}

/** Lists `*.fixtures.yaml` files in `folder` (not recursive). */
export async function findFixtureFiles(folder: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(folder);
  } catch (err) {
    throw validationError(`cannot read mapping folder ${folder}: ${(err as Error).message}`, { cause: err });
  }
  return names.filter((n) => n.endsWith('.fixtures.yaml')).sort().map((n) => path.join(folder, n));
}

/** Runs every case of one fixture file. */
export async function runFixtureFile(file: string): Promise<CaseResult[]> {
  const fixture = parse(await readFile(file, 'utf8')) as FixtureFile;
  if (fixture === null || typeof fixture.mapping !== 'string' || !Array.isArray(fixture.cases)) {
    throw validationError(`${file}: a fixture file needs "mapping" and "cases"`);
  }
  const dir = path.dirname(file);
  const mapper = await loadMappingFile(path.join(dir, fixture.mapping));
  const reverse = fixture.reverse === undefined ? undefined : await loadMappingFile(path.join(dir, fixture.reverse));
  const xref = new MemoryXrefRepository();
  for (const link of fixture.xrefs ?? []) await xref.link(link);
  const results: CaseResult[] = [];
  for (const c of fixture.cases) {
    results.push(await runCase(`${path.basename(file)}: ${c.name}`, c, mapper, reverse, xref));
  }
  return results;
}

/** Runs every fixture file of a folder. */
export async function runFixtureFolder(folder: string): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const file of await findFixtureFiles(folder)) results.push(...(await runFixtureFile(file)));
  return results;
}

async function runCase(name: string, c: FixtureCase, mapper: Mapper, reverse: Mapper | undefined, xref: MemoryXrefRepository): Promise<CaseResult> {
  const { mapped, parked } = await mapper.mapBatch([c.input], { xref });
  const fail = (message: string, differences: FieldDifference[] = []): CaseResult => ({ name, passed: false, differences, message });
  if (c.parked !== undefined) {
    const p = parked[0];
    if (p === undefined) return fail(`expected the record to be parked (${c.parked.field}, ${c.parked.rule}) but it mapped`);
    if (p.field !== c.parked.field || p.rule !== c.parked.rule) {
      return fail(`parked for the wrong reason: ${p.reason}; expected field ${c.parked.field}, rule ${c.parked.rule}`);
    }
    return { name, passed: true, differences: [] };
  }
  const first = mapped[0];
  if (first === undefined) return fail(`record was parked: ${parked[0]?.reason ?? 'unknown reason'}`);
  const differences = fieldDiff(c.expected, first.output);
  if (differences.length > 0) return fail('output differs from expected', differences);
  if (reverse !== undefined) {
    const back = await reverse.mapBatch([first.output], { xref });
    const out = back.mapped[0];
    if (out === undefined) return fail(`round trip: mapping back parked the record: ${back.parked[0]?.reason ?? ''}`);
    if (c.back !== undefined) {
      const wrong = fieldDiff(c.back, out.output);
      if (wrong.length > 0) return fail('round trip: mapping back differs from "back"', wrong);
    } else {
      const lost = subsetDiff(out.output, c.input);
      if (lost.length > 0) return fail('round trip: mapping back does not reproduce the input', lost);
    }
  }
  return { name, passed: true, differences: [] };
}

/** Formats a case result for a terminal: a line, then one line per differing field. */
export function formatCaseResult(r: CaseResult): string {
  if (r.passed) return `ok    ${r.name}\n`;
  const lines = [`FAIL  ${r.name}${r.message === undefined ? '' : `: ${r.message}`}`];
  for (const d of r.differences) {
    lines.push(`        ${d.path}: expected ${JSON.stringify(d.expected) ?? 'absent'}, got ${JSON.stringify(d.actual) ?? 'absent'}`);
  }
  return `${lines.join('\n')}\n`;
}
