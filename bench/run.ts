/**
 * `npm run bench -- <name> [--quick] [...]`: runs `bench/<name>.ts`, whose default export takes
 * {@link BenchOptions} and prints one JSON line per result through `report()`.
 * With no name, lists the benchmarks.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';
import type { BenchOptions } from './report.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && !['run.ts', 'report.ts'].includes(f) && !f.includes('.test.'))
  .map((f) => f.slice(0, -3))
  .sort();

const args = process.argv.slice(2);
const name = args.find((a) => !a.startsWith('-'));
if (name === undefined || !available.includes(name)) {
  process.stderr.write(
    `${name === undefined ? 'name a benchmark' : `no benchmark named "${name}"`}; available: ${available.join(', ')}\n` +
      'usage: npm run bench -- <name> [--quick]\n',
  );
  process.exit(2);
}
const options: BenchOptions = { quick: args.includes('--quick'), args: args.filter((a) => a !== name) };
const mod = (await import(pathToFileURL(path.join(here, `${name}.ts`)).href)) as {
  default: (o: BenchOptions) => Promise<void>;
};
await mod.default(options);
