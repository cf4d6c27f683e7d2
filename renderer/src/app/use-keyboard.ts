import { useEffect, useRef } from 'react';
import type { Code } from '../../../main/api/contract/entities';

export const isMac = typeof navigator !== 'undefined' && /Mac/.test(navigator.platform);

/** Keys typed into a field belong to the field, never to a shortcut. */
export function isTyping(el: EventTarget | null): boolean {
  if (!(el instanceof HTMLElement)) return false;
  return el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName);
}

/** What the workbench's keys do; read afresh at every key press. */
export interface KeyCommands {
  /** Which dialog is open: the palette lets keys through, any other dialog owns them. */
  dialog: 'palette' | 'other' | null;
  codes: Code[];
  hasSelectedSegment: boolean;
  apply(code: Code): void;
  inVivo(): void;
  undo(): void;
  redo(): void;
  openPalette(): void;
  closePalette(): void;
  stepSegment(dir: 1 | -1): void;
  adjustSegment(edge: 'start' | 'end', delta: number): void;
  deleteSegment(): void;
}

/**
 * The workbench keyboard map: digits apply codes, Q / Ctrl+K the palette, V in vivo, Ctrl+Z
 * undo, Ctrl+Shift+Z / Ctrl+Y redo, Alt+Up/Down step through segments, Alt+Left/Right move a
 * segment's start (with Shift its end), Delete removes the selected segment.
 */
export function useKeyboard(commands: KeyCommands): void {
  const current = useRef(commands);
  current.current = commands;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const k = current.current;
      const mod = isMac ? e.metaKey : e.ctrlKey;
      if (k.dialog === 'other') return;
      if (e.key === 'Escape' && k.dialog === 'palette') return k.closePalette();
      if (isTyping(e.target)) return;
      if (mod && !e.altKey && e.key.toLowerCase() === 'z') {
        e.preventDefault();
        return e.shiftKey ? k.redo() : k.undo();
      }
      if (mod && !e.altKey && e.key.toLowerCase() === 'y') {
        e.preventDefault();
        return k.redo();
      }
      if (mod && e.key.toLowerCase() === 'k') {
        e.preventDefault();
        return k.openPalette();
      }
      if (e.altKey && !e.ctrlKey && !e.metaKey && !k.dialog) {
        if (e.key === 'ArrowDown' || e.key === 'ArrowUp') k.stepSegment(e.key === 'ArrowDown' ? 1 : -1);
        else if ((e.key === 'ArrowLeft' || e.key === 'ArrowRight') && k.hasSelectedSegment) k.adjustSegment(e.shiftKey ? 'end' : 'start', e.key === 'ArrowLeft' ? -1 : 1);
        else return;
        e.preventDefault();
        return;
      }
      if (e.ctrlKey || e.metaKey || e.altKey || k.dialog) return;
      if (/^[1-9]$/.test(e.key)) {
        const code = k.codes.find((c) => c.shortcut === Number(e.key));
        if (code) {
          e.preventDefault();
          k.apply(code);
        }
      } else if (e.key === 'q') {
        e.preventDefault();
        k.openPalette();
      } else if (e.key === 'v') {
        e.preventDefault();
        k.inVivo();
      } else if ((e.key === 'Delete' || e.key === 'Backspace') && k.hasSelectedSegment) {
        e.preventDefault();
        k.deleteSegment();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
