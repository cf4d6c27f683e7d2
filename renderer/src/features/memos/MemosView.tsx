import { useEffect, useState } from 'react';
import type { Memo } from '../../../../main/api/contract/entities';
import { call } from '../../api/client';
import { MemoEditor } from './MemoEditor';

interface Props {
  version: number;
  onOpen: (memo: Memo) => void;
  onClose: () => void;
}

const KIND: Record<Memo['target_kind'], string> = { project: 'Project', document: 'Document', code: 'Code', segment: 'Segment' };

/** Every memo of the project, and the project memo itself. */
export function MemosView({ version, onOpen, onClose }: Props) {
  const [memos, setMemos] = useState<Memo[]>([]);
  useEffect(() => {
    call('memos.list', {}).then(setMemos, console.error);
  }, [version]);
  return (
    <section className="bottom-view" aria-label="Memos view">
      <header className="row">
        <h3>Memos</h3>
        <span className="muted">{memos.length} memos</span>
        <button type="button" className="close" onClick={onClose} aria-label="Close memos">
          ×
        </button>
      </header>
      <div className="memos-split">
        <div>
          <h4>Project memo</h4>
          <MemoEditor kind="project" targetId={null} label="Project memo" />
        </div>
        <ul className="retrieval" aria-label="Memos">
          {memos.map((m) => (
            <li key={m.id}>
              <button type="button" className="retrieval-item" onClick={() => onOpen(m)}>
                <span className="retrieval-head">
                  <strong>{KIND[m.target_kind]}</strong> · {m.target_label} · {m.author_name ?? 'unknown'} · {m.updated_at.slice(0, 10)}
                </span>
                <span className="retrieval-text">{m.text.length > 300 ? `${m.text.slice(0, 300)}…` : m.text}</span>
              </button>
            </li>
          ))}
          {memos.length === 0 && <li className="muted">No memos yet.</li>}
        </ul>
      </div>
    </section>
  );
}
