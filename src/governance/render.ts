/** Prints a compatibility report as a readable diff: one line per change, with its JSON pointer. */
import type { CompatibilityReport } from './compatibility.ts';
import { isBreaking } from './compatibility.ts';

/** Renders `report` comparing `from` with `to` (labels such as `order@1.0.0`). */
export function renderReport(report: CompatibilityReport, from: string, to: string): string {
  const { changes, breaking, mode } = report;
  const head = `${from} → ${to} (mode ${mode}): ${changes.length} change${changes.length === 1 ? '' : 's'}, ${breaking.length} breaking`;
  if (changes.length === 0) return `${head}\n`;
  const width = Math.min(60, Math.max(...changes.map((c) => c.pointer.length)));
  const lines = changes.map((c) => {
    const mark = isBreaking(c, mode) ? 'BREAKING' : 'ok      ';
    const effect = [c.narrows ? 'narrows' : '', c.widens ? 'widens' : ''].filter(Boolean).join(', ') || 'annotation';
    return `  ${mark}  ${c.pointer.padEnd(width)}  ${c.kind}: ${c.detail}  [${effect}]`;
  });
  return `${head}\n${lines.join('\n')}\n`;
}
