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
export function searchTexts(query: string, regex = false): boolean {
  const box = document.querySelector<HTMLInputElement>('input[aria-label="Search in texts"], input[type="search"][aria-label^="Search"]');
  if (!box) return false;
  // The box's "Regular expression" option, ticked or not as the query needs (clicked, so the panel's own state follows).
  const option = [...(box.form?.querySelectorAll<HTMLInputElement>('input[type="checkbox"]') ?? [])].find((c) => /Regular expression/.test(c.closest('label')?.textContent ?? ''));
  if (option && option.checked !== regex) option.click();
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
  onSearch?: (query: string, regex: boolean) => void;
  onError: (e: unknown) => void;
}) {
  const { which, onClose } = props;
  if (which === null) return null;
  const search = (q: string, regex: boolean) => {
    onClose();
    // After the dialog has closed and given focus back: then the search box can take it.
    setTimeout(() => {
      if (props.onSearch) props.onSearch(q, regex);
      else if (!searchTexts(q, regex)) props.onError(new Error(`No search box is shown; search the texts for ${q} from the document list.`));
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
