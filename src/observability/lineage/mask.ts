/**
 * Masks secrets in payloads shown by lineage (to the console, the CLI): any key that names a
 * credential has its value replaced, however deep. Also bounds what is shown.
 */

const SECRET_KEY = /secret|password|passwd|token|authorization|api[-_]?key|signature|private[-_]?key|credential|cookie/i;

/** `value` with every credential-named field masked; strings over 2000 characters cut. */
export function maskSecrets(value: unknown, depth = 0): unknown {
  if (depth > 12) return '…';
  if (typeof value === 'string') return value.length > 2000 ? `${value.slice(0, 2000)}…` : value;
  if (Array.isArray(value)) return value.slice(0, 200).map((v) => maskSecrets(v, depth + 1));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) && v !== null && v !== '' ? '***' : maskSecrets(v, depth + 1);
  return out;
}

/** Parses stored JSON text and masks it; the text itself when it is not JSON. */
export function maskedJson(text: string | null): unknown {
  if (text === null) return null;
  try {
    return maskSecrets(JSON.parse(text) as unknown);
  } catch {
    return maskSecrets(text);
  }
}
