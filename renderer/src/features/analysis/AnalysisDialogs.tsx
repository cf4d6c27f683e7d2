import { Modal } from '../../app/Modal';
import { CooccurrenceView } from './CooccurrenceView';
import { CrosstabView } from './CrosstabView';
import { DocumentSetsDialog } from './DocumentSetsDialog';

/** Which of the tables is open, if any. */
export type AnalysisDialog = 'cooccurrence' | 'crosstab' | 'sets' | null;

/** The Analyse menu's items for these dialogs. */
export const analysisMenuItems = (open: (d: Exclude<AnalysisDialog, null>) => void) => [
  { label: 'Code co-occurrence…', onSelect: () => open('cooccurrence') },
  { label: 'Crosstabs…', onSelect: () => open('crosstab') },
  { label: 'Document sets…', onSelect: () => open('sets') },
];

/** Co-occurrence, crosstabs and document sets, from the Analyse menu. */
export function AnalysisDialogs(props: {
  which: AnalysisDialog;
  openId: string | null;
  onClose: () => void;
  /** Opens a document in the workbench with a passage selected. */
  onOpen: (documentId: string, at: { start: number; end: number }) => void;
  onError: (e: unknown) => void;
}) {
  const { which, onClose } = props;
  if (which === null) return null;
  const open = (id: string, at: { start: number; end: number }) => {
    onClose();
    props.onOpen(id, { start: at.start, end: at.end });
  };
  return (
    <Modal onClose={onClose}>
      {which === 'cooccurrence' && <CooccurrenceView onClose={onClose} onOpen={open} onError={props.onError} />}
      {which === 'crosstab' && <CrosstabView onClose={onClose} onOpen={open} onError={props.onError} />}
      {which === 'sets' && <DocumentSetsDialog openId={props.openId} onClose={onClose} onError={props.onError} />}
    </Modal>
  );
}
