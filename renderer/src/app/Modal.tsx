import { useEffect, useRef, type ReactNode } from 'react';

const FOCUSABLE = 'button:not([disabled]), [href], input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"]), [contenteditable="true"]';

/**
 * The frame of every modal screen: focus moves into it and stays there (Tab cycles), Escape
 * closes it the way its own Close button would (so a dialog busy importing, whose Close is
 * disabled, stays open), and focus returns where it was when it closes.
 */
export function Modal({ onClose, children }: { onClose: () => void; children: ReactNode }) {
  const root = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    const first = root.current?.querySelector<HTMLElement>(FOCUSABLE);
    first?.focus();
    return () => before?.focus?.();
  }, []);
  const onKeyDown = (e: React.KeyboardEvent) => {
    const el = root.current;
    if (!el) return;
    if (e.key === 'Escape') {
      e.stopPropagation();
      const close = [...el.querySelectorAll('button')].find((b) => /^(Close|Cancel|Done)$/.test(b.textContent?.trim() ?? ''));
      if (!close) onClose();
      else if (!close.disabled) close.click();
      return;
    }
    if (e.key !== 'Tab') return;
    const items = [...el.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((x) => x.offsetParent !== null);
    if (items.length === 0) return;
    const first = items[0]!;
    const last = items[items.length - 1]!;
    if (e.shiftKey && document.activeElement === first) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault();
      first.focus();
    }
  };
  return (
    <div className="overlay" ref={root} onKeyDown={onKeyDown}>
      {children}
    </div>
  );
}
