/**
 * The console's one way to the admin API: same origin, the signed-in key as a bearer token (the
 * audit log names the key, as issued, never a name typed here), an Idempotency-Key on every action (a double click or a
 * retried request acts once), and problem+json errors turned into {@link ApiError}.
 */

const KEY = 'interlock.console.key';

/** The key kept for this browser tab (sessionStorage: gone when the tab closes). */
export const credentials = {
  key: (): string => sessionStorage.getItem(KEY) ?? '',
  save(key: string): void {
    sessionStorage.setItem(KEY, key);
  },
  clear(): void {
    sessionStorage.removeItem(KEY);
  },
};

/** An error answer of the API (RFC 9457 problem details), or a network failure (status 0). */
export class ApiError extends Error {
  readonly status: number;
  readonly type: string;
  readonly detail: string;
  constructor(status: number, type: string, title: string, detail: string) {
    super(detail === '' ? title : `${title}: ${detail}`);
    this.status = status;
    this.type = type;
    this.detail = detail;
  }
}

function headers(extra: Record<string, string> = {}): Record<string, string> {
  const h: Record<string, string> = { accept: 'application/json', ...extra };
  const key = credentials.key();
  if (key !== '') h['authorization'] = `Bearer ${key}`;
  return h;
}

async function answer<T>(res: Response): Promise<T> {
  const text = await res.text();
  const body = text === '' ? null : (JSON.parse(text) as unknown);
  if (res.ok) return body as T;
  const p = (body ?? {}) as { type?: string; title?: string; detail?: string };
  throw new ApiError(res.status, String(p.type ?? ''), p.title ?? `HTTP ${res.status}`, p.detail ?? '');
}

async function call<T>(method: string, path: string, init: RequestInit): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, { method, ...init });
  } catch (err) {
    throw new ApiError(0, 'network', 'Interlock did not answer', err instanceof Error ? err.message : String(err));
  }
  return answer<T>(res);
}

/** GET `path` (e.g. `/admin/runs?status=failed`). */
export function get<T>(path: string): Promise<T> {
  return call<T>('GET', path, { headers: headers() });
}

/** Downloads `path` (a CSV export) as a file named `filename`, with the key sent as for any call. */
export async function download(path: string, filename: string): Promise<void> {
  const res = await fetch(path, { headers: headers({ accept: '*/*' }) });
  if (!res.ok) return answer<void>(res);
  const url = URL.createObjectURL(await res.blob());
  const a = Object.assign(document.createElement('a'), { href: url, download: filename });
  a.click();
  URL.revokeObjectURL(url);
}

/** POST an action; `body` undefined sends none (actions that take no body refuse one). */
export function post<T>(path: string, body?: unknown): Promise<T> {
  const h = headers({ 'idempotency-key': crypto.randomUUID() });
  if (body === undefined) return call<T>('POST', path, { headers: h });
  return call<T>('POST', path, { headers: { ...h, 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

/** `?a=1&b=2` of the defined, non-empty values of `q`. */
export function query(q: Record<string, string | number | undefined>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s === '' ? '' : `?${s}`;
}
