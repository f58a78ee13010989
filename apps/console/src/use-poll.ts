// A value read from the API and read again every few seconds while the view is shown. A slow
// answer never overlaps the next read, and a failed read keeps the last value beside its error,
// so a blip does not blank the page; new deps keep the old value until the new one arrives.
import { useCallback, useEffect, useRef, useState } from "preact/hooks";

export interface Polled<T> {
  value: T | undefined;
  error: unknown;
  /** Read again now (after an action), without waiting for the next tick. */
  refresh: () => void;
}

export function usePoll<T>(load: () => Promise<T>, intervalMs: number, deps: unknown[]): Polled<T> {
  const [value, setValue] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const wake = useRef<() => void>(() => undefined);
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let running = false;
    let again = false;
    const tick = async () => {
      if (running) {
        again = true;
        return;
      }
      running = true;
      clearTimeout(timer);
      try {
        const got = await load();
        if (!stopped) {
          setValue(() => got);
          setError(undefined);
        }
      } catch (e) {
        if (!stopped) setError(e);
      }
      running = false;
      if (stopped) return;
      if (again) {
        again = false;
        void tick();
      } else timer = setTimeout(tick, intervalMs);
    };
    wake.current = () => void tick();
    void tick();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, deps);
  const refresh = useCallback(() => wake.current(), []);
  return { value, error, refresh };
}
