import { useEffect, useState } from 'react';
import { onChange } from '../api/client';

/** A counter that moves after every change to the project: views reload on it. */
export function useProjectVersion(): number {
  const [version, setVersion] = useState(0);
  useEffect(() => onChange(() => setVersion((v) => v + 1)), []);
  return version;
}

/** Loads a value whenever its dependencies change; keeps the previous value while loading. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[], initial: T): T {
  const [value, setValue] = useState<T>(initial);
  useEffect(() => {
    let live = true;
    load().then(
      (v) => live && setValue(v),
      (e) => console.error(e),
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  return value;
}
