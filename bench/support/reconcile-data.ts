/**
 * Data of the reconcile benchmark: two key-sorted TSV files (`key, id, name, status, amount`)
 * with a seeded 1% drift of mixed classes, the counts a correct reconciliation must find, and a
 * reader that turns a file into batches of projections without holding the file.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Projection } from '../../src/sync/reconcile/projection.ts';

/** What the drift should produce, per discrepancy kind. */
export type Expected = Record<string, number>;

const KINDS = ['missing', 'orphan', 'duplicate', 'field-drift', 'status-mismatch', 'amount-mismatch'] as const;

/** Writes `n` records per side to `a` and `b`, 1 in 100 keys drifted; answers the expected counts. */
export async function generate(n: number, a: string, b: string): Promise<Expected> {
  const expected: Expected = Object.fromEntries(KINDS.map((k) => [k, 0]));
  const outA = createWriteStream(a);
  const outB = createWriteStream(b);
  let bufA = '';
  let bufB = '';
  for (let i = 0; i < n; i++) {
    const key = `K${String(i).padStart(9, '0')}`;
    const amount = ((i * 7919) % 100000) / 100;
    const line = `${key}\t${i}\tCustomer ${i}\tactive\t${amount}\n`;
    bufA += line;
    const kind = i % 100 === 37 ? KINDS[(i / 100) % KINDS.length | 0] : undefined;
    if (kind !== undefined) expected[kind] = (expected[kind] ?? 0) + 1;
    if (kind === 'missing') {
      // nothing on side b
    } else if (kind === 'orphan') {
      bufB += line + `${key}~\tb${i}\tStray ${i}\tactive\t1\n`;
    } else if (kind === 'duplicate') bufB += line + `${key}\tb${i}\tCustomer ${i}\tactive\t${amount}\n`;
    else if (kind === 'field-drift') bufB += `${key}\t${i}\tCustomer ${i} Ltd\tactive\t${amount}\n`;
    else if (kind === 'status-mismatch') bufB += `${key}\t${i}\tCustomer ${i}\tcancelled\t${amount}\n`;
    else if (kind === 'amount-mismatch') bufB += `${key}\t${i}\tCustomer ${i}\tactive\t${amount + 10}\n`;
    else bufB += line;
    if (bufA.length > 1 << 20) {
      if (!outA.write(bufA)) await once(outA, 'drain');
      if (!outB.write(bufB)) await once(outB, 'drain');
      bufA = bufB = '';
    }
  }
  outA.end(bufA);
  outB.end(bufB);
  await Promise.all([once(outA, 'finish'), once(outB, 'finish')]);
  return expected;
}

/** Parses one TSV line into a projection. */
export function parseLine(line: string): Projection {
  const [key = '', id = '', name = '', status = '', amount = '0'] = line.split('\t');
  return { key, id, fields: { name, status, amount: Number(amount) } };
}

/** The file's records in batches, read a chunk at a time. */
export async function* readTsv(file: string): AsyncGenerator<Projection[]> {
  let rest = '';
  for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 16 })) {
    const text = rest + (chunk as string);
    const lines = text.split('\n');
    rest = lines.pop() ?? '';
    yield lines.map(parseLine);
  }
  if (rest !== '') yield [parseLine(rest)];
}
