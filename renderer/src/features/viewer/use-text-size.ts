import { useCallback, useEffect, useState } from 'react';

export const TEXT_SIZE_KEY = 'marginalia.textSize';
export const TEXT_SIZES = [12, 13, 14, 15, 16, 18, 20, 22, 24, 28] as const;
const DEFAULT = 16;

function stored(): number {
  const n = Number(localStorage.getItem(TEXT_SIZE_KEY));
  return (TEXT_SIZES as readonly number[]).includes(n) ? n : DEFAULT;
}

/**
 * The size of the document text (View ▸ Larger text / Smaller text, Ctrl+= / Ctrl+-, Ctrl+0
 * back to normal), remembered across sessions. Only the document grows: the panes stay as
 * they are, which browser zoom would not do.
 */
export function useTextSize() {
  const [size, setSize] = useState(stored);
  const set = useCallback((next: number) => {
    setSize(next);
    localStorage.setItem(TEXT_SIZE_KEY, String(next));
  }, []);
  const step = useCallback(
    (dir: 1 | -1) => {
      const sizes = TEXT_SIZES as readonly number[];
      const at = sizes.indexOf(stored());
      set(sizes[Math.max(0, Math.min(sizes.length - 1, (at < 0 ? sizes.indexOf(DEFAULT) : at) + dir))]!);
    },
    [set],
  );
  const larger = useCallback(() => step(1), [step]);
  const smaller = useCallback(() => step(-1), [step]);
  const reset = useCallback(() => set(DEFAULT), [set]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!(e.ctrlKey || e.metaKey) || e.altKey) return;
      if (e.key === '=' || e.key === '+') larger();
      else if (e.key === '-' || e.key === '_') smaller();
      else if (e.key === '0') reset();
      else return;
      // Instead of the browser's zoom of the whole page.
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [larger, smaller, reset]);

  return { size, larger, smaller, reset, canGrow: size < TEXT_SIZES[TEXT_SIZES.length - 1]!, canShrink: size > TEXT_SIZES[0]! };
}
