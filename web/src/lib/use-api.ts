/** A React hook that loads one API resource, with reload and optional polling. */
import { useCallback, useEffect, useRef, useState } from 'react';
import { get } from './api.ts';

/** What {@link useApi} gives a screen. */
export interface Loaded<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  reload: () => void;
}

/** Loads `path` (nothing when null); again every `pollMs` when given, and on `reload()`. */
export function useApi<T>(path: string | null, pollMs?: number): Loaded<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<Error>();
  const [loading, setLoading] = useState(path !== null);
  const [tick, setTick] = useState(0);
  const latest = useRef(0);

  useEffect(() => {
    if (path === null) return;
    // Only the newest request may set state: a slow answer to an old search must not win.
    const mine = ++latest.current;
    setLoading(true);
    get<T>(path).then(
      (d) => {
        if (mine !== latest.current) return;
        setData(d);
        setError(undefined);
        setLoading(false);
      },
      (e: unknown) => {
        if (mine !== latest.current) return;
        setError(e instanceof Error ? e : new Error(String(e)));
        setLoading(false);
      },
    );
  }, [path, tick]);

  useEffect(() => {
    if (pollMs === undefined || path === null) return;
    const t = setInterval(() => setTick((n) => n + 1), pollMs);
    return () => clearInterval(t);
  }, [pollMs, path]);

  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { data, error, loading, reload };
}
