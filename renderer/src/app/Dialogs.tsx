import type { Code, Coder } from '../../../main/api/contract/entities';
import type { Dialogs as DialogState } from './use-dialogs';
import { CoderDialog } from './CoderDialog';
import { Modal } from './Modal';
import { DeleteCodeDialog } from '../features/codebook/CodeInspector';
import { QuickCodePalette } from '../features/coding/QuickCodePalette';
import { ImportDialog } from '../features/import/ImportDialog';
import { ExportDialog } from '../features/exchange/ExportDialog';
import { ExchangeImportDialog } from '../features/exchange/ExchangeImportDialog';
import { MergeDialog } from '../features/team/MergeDialog';
import { AgreementView } from '../features/team/AgreementView';
import { ProjectDialog } from '../features/project/ProjectDialog';

interface Props {
  dialogs: DialogState;
  codes: Code[];
  coder: Coder | null;
  /** The text the palette would code, or null when nothing is selected. */
  selectedText: string | null;
  onChooseCoder(name: string): void;
  onApply(code: Code): void;
  onCreateAndApply(name: string): void;
  /** After a code was deleted (or the deletion cancelled). */
  onDeleteClosed(code: Code): void;
  onError(e: unknown): void;
}

/** Renders whichever modal screen is open. */
export function Dialogs({ dialogs, codes, coder, selectedText, onChooseCoder, onApply, onCreateAndApply, onDeleteClosed, onError }: Props) {
  const { dialog, close } = dialogs;
  if (dialog === null) return null;
  if (dialog === 'palette') {
    return (
      <QuickCodePalette
        codes={codes}
        selectedText={selectedText}
        onApply={(c) => {
          close();
          onApply(c);
        }}
        onCreate={(name) => {
          close();
          onCreateAndApply(name);
        }}
        onClose={close}
      />
    );
  }
  if (dialog === 'firstCoder' || dialog === 'coder') {
    return <CoderDialog initial={dialog === 'coder' ? (coder?.name ?? '') : ''} firstUse={dialog === 'firstCoder'} onSubmit={onChooseCoder} onCancel={dialog === 'coder' ? close : undefined} />;
  }
  if (typeof dialog === 'object') {
    return (
      <DeleteCodeDialog
        code={dialog.delete}
        onError={onError}
        onClose={() => {
          close();
          onDeleteClosed(dialog.delete);
        }}
      />
    );
  }
  if (dialog === 'newProject' || dialog === 'openProject') {
    return (
      <Modal onClose={close}>
        <ProjectDialog mode={dialog === 'newProject' ? 'new' : 'open'} onClose={close} />
      </Modal>
    );
  }
  const screens = { import: ImportDialog, refi: ExchangeImportDialog, export: ExportDialog, merge: MergeDialog, agreement: AgreementView } as const;
  const Screen = screens[dialog];
  return (
    <Modal onClose={close}>
      <Screen onClose={close} />
    </Modal>
  );
}
