import { useCallback, useMemo, useRef, useState } from 'react';

/** The passage selected in the document, in code points of the stored text: what a code key applies to. */
export interface TextSelection {
  start: number;
  end: number;
  text: string;
}

/** “killing 17 … injuring 31”: enough of a passage to see where it starts and ends. */
export function passageEnds(text: string): string {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const cut = (s: string, n: number, fromEnd = false) => (s.length <= n ? s : fromEnd ? `…${s.slice(s.length - n)}` : `${s.slice(0, n)}…`);
  if (words.length <= 4) return `“${cut(words.join(' '), 60)}”`;
  return `“${cut(words.slice(0, 2).join(' '), 30)} … ${cut(words.slice(-2).join(' '), 30, true)}”`;
}

/** The status bar's account of a selection: its length, where it is, and its first and last words. */
export function describeSelection(sel: TextSelection | null): string {
  if (!sel) return '';
  const n = sel.end - sel.start;
  return `Selected ${n} character${n === 1 ? '' : 's'} (${sel.start}–${sel.end}): ${passageEnds(sel.text)}`;
}

/**
 * The selection a code applies to. The viewer reports what is visibly selected in the text
 * (clamped to the text under the pointer) and reports null as soon as that is gone: Esc, a
 * click elsewhere, focus moved to another pane. `current()` reads it at the moment a key is
 * pressed, never a selection from before.
 */
export function useSelection(onSelect?: () => void) {
  const [selection, setSelection] = useState<TextSelection | null>(null);
  const ref = useRef(selection);
  ref.current = selection;
  const after = useRef(onSelect);
  after.current = onSelect;

  const onSelection = useCallback((sel: TextSelection | null) => {
    setSelection((prev) => (prev && sel && prev.start === sel.start && prev.end === sel.end ? prev : sel));
    ref.current = sel;
    if (sel) after.current?.();
  }, []);
  const clear = useCallback(() => onSelection(null), [onSelection]);
  const current = useCallback(() => ref.current, []);
  const status = useMemo(() => describeSelection(selection), [selection]);

  return { selection, current, onSelection, clear, status };
}
