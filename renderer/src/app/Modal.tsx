import { useLayoutEffect, useRef, type ReactNode } from 'react';

const FOCUSABLE = 'button:not([disabled]), [href], input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"]), [contenteditable="true"]';

/**
 * The frame of every modal screen: focus moves into it and stays there (Tab cycles), Escape
 * closes it the way its own Close button would (so a dialog busy importing, whose Close is
 * disabled, stays open), and focus returns where it was when it closes.
 */
export function Modal({ onClose, children }: { onClose: () => void; children: ReactNode }) {
  const root = useRef<HTMLDivElement>(null);
  const close = useRef(onClose);
  close.current = onClose;
  // Layout effect: the keys are handled from the moment the dialog is painted, not a frame later.
  useLayoutEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    root.current?.querySelector<HTMLElement>(FOCUSABLE)?.focus();
    // On the document, not the overlay: Escape and Tab must work even when focus never
    // reached the dialog (opened from the desktop menu, or before the first focus lands).
    const onKeyDown = (e: KeyboardEvent) => {
      const el = root.current;
      if (!el) return;
      if (e.key === 'Escape') {
        e.stopPropagation();
        const button = [...el.querySelectorAll('button')].find((b) => /^(Close|Cancel|Done)$/.test(b.textContent?.trim() ?? ''));
        if (!button) close.current();
        else if (!button.disabled) button.click();
        return;
      }
      if (e.key !== 'Tab') return;
      const items = [...el.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((x) => x.offsetParent !== null);
      if (items.length === 0) return;
      const first = items[0]!;
      const last = items[items.length - 1]!;
      const inside = el.contains(document.activeElement);
      if (e.shiftKey && (!inside || document.activeElement === first)) {
        e.preventDefault();
        last.focus();
      } else if (!e.shiftKey && (!inside || document.activeElement === last)) {
        e.preventDefault();
        first.focus();
      }
    };
    document.addEventListener('keydown', onKeyDown);
    return () => {
      document.removeEventListener('keydown', onKeyDown);
      before?.focus?.();
    };
  }, []);
  return (
    <div className="overlay" ref={root}>
      {children}
    </div>
  );
}
