/**
 * Two JSON Schema documents side by side as one diff: keys sorted (so moving a key is no change),
 * added lines green, removed red, long unchanged stretches folded to their edges.
 */
import { diffJson } from 'diff';

const CONTEXT = 3;

/** The diff of `before` → `after`. */
export function SchemaDiff({ before, after }: { before: object; after: object }) {
  const parts = diffJson(before, after);
  const changed = parts.some((p) => p.added || p.removed);
  return (
    <pre className="diff" data-testid="schema-diff">
      {!changed && <div className="muted">The two versions are the same schema.</div>}
      {parts.map((p, i) => {
        const lines = p.value.replace(/\n$/, '').split('\n');
        if (p.added || p.removed) {
          return lines.map((l, j) => (
            <div key={`${i}-${j}`} className={p.added ? 'add' : 'del'}>
              {p.added ? '+ ' : '- '}
              {l}
            </div>
          ));
        }
        const shown = lines.length > 2 * CONTEXT + 1 ? [...lines.slice(0, i === 0 ? 0 : CONTEXT), `… ${lines.length - 2 * CONTEXT} unchanged lines …`, ...lines.slice(-CONTEXT)] : lines;
        return shown.map((l, j) => (
          <div key={`${i}-${j}`} className={l.startsWith('… ') ? 'fold' : 'same'}>
            {'  '}
            {l}
          </div>
        ));
      })}
    </pre>
  );
}
