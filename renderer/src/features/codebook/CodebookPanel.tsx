import { useState } from 'react';
import type { Output } from '../../../../main/api/contract';
import { call } from '../../api/client';
import { markedName } from '../../../../main/api/contract/safe-text';
import { CodeTree } from './CodeTree';

type Code = Output<'codes.list'>[number];

interface Props {
  codes: Code[];
  selectedCodeId: string | null;
  /** Text is selected in the document, so a code can be applied to it. */
  canApply: boolean;
  onSelect(id: string | null): void;
  onApply(code: Code): void;
  onDelete(code: Code): void;
  onError(e: unknown): void;
  /** Says what a change did, in the status line (a polite live region). */
  onDone(text: string): void;
}

/** The codebook: adding codes and subcodes, applying the chosen code, and the tree itself. */
export function CodebookPanel({ codes, selectedCodeId, canApply, onSelect, onApply, onDelete, onError, onDone }: Props) {
  const [name, setName] = useState('');
  const selected = codes.find((c) => c.id === selectedCodeId) ?? null;

  const add = (asSub: boolean) => {
    const trimmed = name.trim();
    if (!trimmed) return;
    const parent = asSub ? selected : null;
    call('codes.create', { name: trimmed, parentId: parent?.id ?? null }).then((r) => {
      setName('');
      // A new subcode leaves its parent chosen, so "Add subcode" again adds a sibling, not a grandchild.
      if (!parent) onSelect(r.id);
      onDone(parent ? `Added subcode “${trimmed}” under “${parent.name}”` : `Added code “${trimmed}”`);
    }, onError);
  };

  return (
    <section className="panel codebook" aria-label="Codebook">
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          add(false);
        }}
      >
        <input className="grow" aria-label="New code name" placeholder="New code…" value={name} onChange={(e) => setName(e.target.value)} />
        <button type="submit" disabled={!name.trim()}>
          Add code
        </button>
        <button
          type="button"
          disabled={!name.trim() || !selected}
          title={selected ? `Add it under “${selected.name}”` : 'Choose the parent code in the tree first'}
          onClick={() => add(true)}
        >
          Add subcode
        </button>
      </form>
      {/* A toolbar: pressing it leaves the text selection as it is (the viewer keeps it for these). */}
      <div className="row apply-row" role="toolbar" aria-label="Apply the chosen code">
        <button
          type="button"
          className="apply"
          disabled={!canApply || !selected}
          onMouseDown={(e) => e.preventDefault()}
          onClick={() => selected && onApply(selected)}
          title={
            !selected
              ? 'Choose a code in the tree first'
              : canApply
                ? `Code the selected text with ${selected.path} (or press Enter in the tree, or double-click the code)`
                : 'Select text in the document first'
          }
        >
          {selected ? `Apply “${markedName(selected.name)}” to the selection` : 'Apply a code to the selection'}
        </button>
      </div>
      <CodeTree
        codes={codes}
        selectedCodeId={selectedCodeId}
        canApply={canApply}
        onSelect={onSelect}
        onApply={onApply}
        onDelete={onDelete}
        onError={onError}
        onDone={onDone}
      />
    </section>
  );
}
