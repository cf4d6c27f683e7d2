import { useEffect, useState } from 'react';
import type { Code } from '../../../../main/api/contract/entities';
import { call } from '../../api/client';
import { MemoEditor } from '../memos/MemoEditor';

interface Props {
  code: Code;
  codes: Code[];
  onDelete: (code: Code) => void;
  onError: (e: unknown) => void;
  onShowSegments: (code: Code) => void;
}

/** The selected code: rename, recolour, describe, shortcut, merge, delete, memo. */
export function CodeInspector({ code, codes, onDelete, onError, onShowSegments }: Props) {
  const [name, setName] = useState(code.name);
  const [description, setDescription] = useState(code.description);
  const [mergeInto, setMergeInto] = useState('');
  useEffect(() => {
    setName(code.name);
    setDescription(code.description);
  }, [code.id, code.name, code.description]);

  const run = (p: Promise<unknown>) => p.catch(onError);
  const rename = () => {
    if (name.trim() && name.trim() !== code.name) run(call('codes.rename', { id: code.id, name }).catch((e) => {
      setName(code.name);
      throw e;
    }));
  };
  const targets = codes.filter((c) => c.id !== code.id && !c.path.startsWith(`${code.path}/`));

  return (
    <section className="panel" aria-label="Code">
      <h3>
        <span className="swatch" style={{ backgroundColor: code.color }} aria-hidden="true" /> {code.path}
      </h3>
      <p className="muted">
        {code.segment_count} segment{code.segment_count === 1 ? '' : 's'} in {code.document_count} document{code.document_count === 1 ? '' : 's'}
      </p>
      <label className="field">
        Name
        <input
          id="code-name-input"
          value={name}
          onChange={(e) => setName(e.target.value)}
          onBlur={rename}
          onKeyDown={(e) => {
            if (e.key === 'Enter') rename();
            if (e.key === 'Escape') setName(code.name);
          }}
        />
      </label>
      <div className="row">
        <label className="field">
          Colour
          <input type="color" value={code.color} onChange={(e) => run(call('codes.recolor', { id: code.id, color: e.target.value }))} />
        </label>
        <label className="field">
          Shortcut
          <select
            value={code.shortcut ?? ''}
            onChange={(e) => run(call('codes.setShortcut', { id: code.id, shortcut: e.target.value ? Number(e.target.value) : null }))}
          >
            <option value="">None</option>
            {[1, 2, 3, 4, 5, 6, 7, 8, 9].map((d) => (
              <option key={d} value={d}>
                {d}
              </option>
            ))}
          </select>
        </label>
      </div>
      <label className="field">
        Description (coding rule)
        <textarea
          rows={4}
          value={description}
          onChange={(e) => setDescription(e.target.value)}
          onBlur={() => description !== code.description && run(call('codes.describe', { id: code.id, description }))}
        />
      </label>
      <div className="row">
        <label className="field grow">
          Merge into
          <select value={mergeInto} onChange={(e) => setMergeInto(e.target.value)}>
            <option value="">Choose a code…</option>
            {targets.map((c) => (
              <option key={c.id} value={c.id}>
                {c.path}
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          disabled={!mergeInto}
          onClick={() =>
            run(
              call('codes.merge', { sourceId: code.id, targetId: mergeInto }).then(() => {
                setMergeInto('');
              }),
            )
          }
        >
          Merge
        </button>
      </div>
      <div className="row">
        <button type="button" onClick={() => onShowSegments(code)}>
          Show coded segments
        </button>
        <button type="button" className="danger" onClick={() => onDelete(code)}>
          Delete code…
        </button>
      </div>
      <h4>Code memo</h4>
      <MemoEditor kind="code" targetId={code.id} label="Code memo" />
    </section>
  );
}

/** The delete confirmation says how many subcodes and segments go with the code. */
export function DeleteCodeDialog({ code, onClose, onError }: { code: Code; onClose: () => void; onError: (e: unknown) => void }) {
  const [impact, setImpact] = useState<{ codes: number; segments: number } | null>(null);
  useEffect(() => {
    call('codes.deleteImpact', { id: code.id }).then(setImpact, onError);
  }, [code.id]); // eslint-disable-line react-hooks/exhaustive-deps
  const sub = impact ? impact.codes - 1 : 0;
  return (
    <div className="overlay">
      <div role="alertdialog" aria-modal="true" aria-label={`Delete code ${code.name}`} className="dialog">
        <h3>Delete “{code.name}”?</h3>
        <p>
          {impact
            ? `This deletes ${impact.segments} coded segment${impact.segments === 1 ? '' : 's'}${sub > 0 ? ` and ${sub} subcode${sub === 1 ? '' : 's'}` : ''}. You can undo it.`
            : 'Counting…'}
        </p>
        <div className="row">
          <button
            type="button"
            className="danger"
            disabled={!impact}
            onClick={() => {
              call('codes.delete', { id: code.id }).then(onClose, onError);
            }}
          >
            Delete
          </button>
          <button type="button" autoFocus onClick={onClose}>
            Cancel
          </button>
        </div>
      </div>
    </div>
  );
}
