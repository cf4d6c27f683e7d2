import { useMemo, useState } from 'react';
import type { DocumentSummary } from '../../../../main/core/documents/documents';

interface Props {
  documents: DocumentSummary[];
  openId: string | null;
  onOpen: (id: string, at?: { start: number; end: number }) => void;
}

function attributeLine(d: DocumentSummary): string {
  return Object.entries(d.attributes)
    .filter(([, v]) => v !== null && v !== '')
    .map(([k, v]) => `${k}: ${String(v)}`)
    .join(' · ');
}

/** The documents: a listbox filtered by name. Search over the texts is the search panel's. */
export function DocumentList({ documents, openId, onOpen }: Props) {
  const [filter, setFilter] = useState('');
  const shown = useMemo(() => {
    const f = filter.trim().toLowerCase();
    return f ? documents.filter((d) => d.name.toLowerCase().includes(f)) : documents;
  }, [documents, filter]);

  const openIndex = Math.max(0, shown.findIndex((d) => d.id === openId));
  const onKeyDown = (e: React.KeyboardEvent) => {
    let next = -1;
    if (e.key === 'ArrowDown') next = Math.min(shown.length - 1, openIndex + 1);
    else if (e.key === 'ArrowUp') next = Math.max(0, openIndex - 1);
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = shown.length - 1;
    if (next < 0 || !shown[next]) return;
    e.preventDefault();
    onOpen(shown[next]!.id);
  };

  return (
    <section className="panel documents" aria-label="Document list">
      <h3>Documents</h3>
      <input type="search" placeholder="Filter by name" aria-label="Filter documents by name" value={filter} onChange={(e) => setFilter(e.target.value)} />
      <ul
        role="listbox"
        aria-label="Documents"
        tabIndex={0}
        className="doc-list"
        aria-activedescendant={openId && shown.some((d) => d.id === openId) ? `doc-${openId}` : undefined}
        onKeyDown={onKeyDown}
      >
        {shown.map((d) => {
          const attrs = attributeLine(d);
          return (
            <li
              key={d.id}
              id={`doc-${d.id}`}
              role="option"
              aria-selected={d.id === openId}
              aria-description={`${attrs ? `${attrs}; ` : ''}${d.segment_count} segments`}
              className={d.id === openId ? 'selected' : ''}
              onClick={() => onOpen(d.id)}
            >
              <span className="doc-name">{d.name}</span>
              {/* Read out once, through aria-description, rather than as part of the name. */}
              <span className="doc-meta" aria-hidden="true">
                {attrs && <span className="attrs">{attrs}</span>}
                <span className="badge" title={`${d.segment_count} coded segments`}>
                  {d.segment_count}
                </span>
              </span>
            </li>
          );
        })}
        {shown.length === 0 && <li className="muted">No document matches.</li>}
      </ul>
    </section>
  );
}
