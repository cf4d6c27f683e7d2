import { Modal } from '../../app/Modal';
import { WordFrequencyView } from './WordFrequencyView';
import { DuplicatesView } from './DuplicatesView';

/** Which of the two analyses is open, if any. */
export type WireDialog = 'words' | 'duplicates' | null;

/**
 * Types a query into the workbench's text search and submits it, as a person would: the
 * search box's own handlers run, so its results show in its usual place. The search box is found by its
 * accessible name, so this keeps working when the search panel moves.
 */
export function searchTexts(query: string): boolean {
  const box = document.querySelector<HTMLInputElement>('input[aria-label="Search in texts"], input[type="search"][aria-label^="Search"]');
  if (!box) return false;
  const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')?.set;
  setter?.call(box, query);
  box.dispatchEvent(new Event('input', { bubbles: true }));
  box.focus();
  box.scrollIntoView({ block: 'nearest' });
  // Submitted once the box's own state has the query (the next task, after React's render).
  setTimeout(() => box.form?.requestSubmit(), 0);
  return true;
}

/** Word frequency and Duplicate stories, from the Analyse menu. */
export function WireDialogs(props: {
  which: WireDialog;
  onClose: () => void;
  /** Opens a document in the workbench. */
  onOpen: (id: string) => void;
  /** Searches the texts; the default types into the workbench's search box. */
  onSearch?: (query: string) => void;
  onError: (e: unknown) => void;
}) {
  const { which, onClose } = props;
  if (which === null) return null;
  const search = (q: string) => {
    onClose();
    // After the dialog has closed and given focus back: then the search box can take it.
    setTimeout(() => {
      if (props.onSearch) props.onSearch(q);
      else if (!searchTexts(q)) props.onError(new Error(`No search box is shown; search the texts for ${q} from the document list.`));
    }, 0);
  };
  return (
    <Modal onClose={onClose}>
      {which === 'words' ? (
        <WordFrequencyView onSearch={search} onClose={onClose} onError={props.onError} />
      ) : (
        <DuplicatesView
          onOpen={(id) => {
            onClose();
            props.onOpen(id);
          }}
          onClose={onClose}
          onError={props.onError}
        />
      )}
    </Modal>
  );
}
