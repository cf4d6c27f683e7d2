import { useState } from 'react';
import type { Code } from '../../../main/api/contract/entities';

/** The one modal screen open over the workbench, if any. */
export type Dialog = 'newProject' | 'openProject' | 'import' | 'refi' | 'export' | 'merge' | 'agreement' | 'palette' | 'coder' | 'firstCoder' | { delete: Code } | null;

export interface Dialogs {
  dialog: Dialog;
  open(d: Exclude<Dialog, null>): void;
  close(): void;
  /** For the keyboard map: the palette lets keys through, any other dialog owns them. */
  kind: 'palette' | 'other' | null;
}

/** Which dialog is open; at most one at a time. */
export function useDialogs(): Dialogs {
  const [dialog, setDialog] = useState<Dialog>(null);
  return {
    dialog,
    open: setDialog,
    close: () => setDialog(null),
    kind: dialog === 'palette' ? 'palette' : dialog ? 'other' : null,
  };
}
