/** A payload, pretty-printed with secrets masked; long ones folded. */
import { maskSecrets, parseMaybe } from '../lib/mask.ts';

/** Shows `value` (JSON text is parsed first). */
export function JsonView({ value, label, open = true }: { value: unknown; label?: string; open?: boolean }) {
  const v = maskSecrets(parseMaybe(value));
  const text = typeof v === 'string' ? v : JSON.stringify(v, null, 2);
  if (label === undefined) return <pre className="json">{text}</pre>;
  return (
    <details className="json-block" open={open}>
      <summary>{label}</summary>
      <pre className="json">{text}</pre>
    </details>
  );
}
