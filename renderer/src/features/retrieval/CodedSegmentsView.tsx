import { useEffect, useMemo, useState } from 'react';
import type { Code } from '../../../../main/core/codebook/codebook';
import type { Coder } from '../../../../main/core/coders/coders';
import type { DocumentSummary } from '../../../../main/core/documents/documents';
import type { SegmentWithContext } from '../../../../main/core/coding/segments';
import { call } from '../../api/client';
import { CodeOptions } from '../codebook/CodeOptions';

interface Props {
  codes: Code[];
  coders: Coder[];
  documents: DocumentSummary[];
  codeId: string | null;
  version: number;
  onCodeChange: (id: string) => void;
  onOpen: (segment: SegmentWithContext) => void;
  onClose: () => void;
}

/** Retrieval: every segment of a code (optionally with subcodes) across documents, filterable. */
export function CodedSegmentsView({ codes, coders, documents, codeId, version, onCodeChange, onOpen, onClose }: Props) {
  const [subcodes, setSubcodes] = useState(true);
  const [coderId, setCoderId] = useState('');
  const [attribute, setAttribute] = useState('');
  const [value, setValue] = useState('');
  const [segments, setSegments] = useState<SegmentWithContext[]>([]);
  const code = codes.find((c) => c.id === codeId) ?? null;

  useEffect(() => {
    let live = true;
    call('segments.list', {
      ...(codeId ? { codeId, includeSubcodes: subcodes } : {}),
      ...(coderId ? { coderIds: [coderId] } : {}),
      context: 80,
    }).then((s) => live && setSegments(s), console.error);
    return () => {
      live = false;
    };
  }, [codeId, subcodes, coderId, version]);

  const attributes = useMemo(() => [...new Set(documents.flatMap((d) => Object.keys(d.attributes)))].sort(), [documents]);
  const shown = useMemo(() => {
    if (!attribute || !value.trim()) return segments;
    const v = value.trim().toLowerCase();
    const ok = new Set(documents.filter((d) => String(d.attributes[attribute] ?? '').toLowerCase().includes(v)).map((d) => d.id));
    return segments.filter((s) => ok.has(s.document_id));
  }, [segments, documents, attribute, value]);

  return (
    <section className="bottom-view" aria-label="Coded segments view">
      <header className="row">
        <h3>Coded segments{code ? `: ${code.path}` : ' (all codes)'}</h3>
        <label>
          Code{' '}
          <select value={codeId ?? ''} onChange={(e) => onCodeChange(e.target.value)} aria-label="Code">
            <option value="">All codes</option>
            <CodeOptions codes={codes} />
          </select>
        </label>
        <label>
          <input type="checkbox" checked={subcodes} onChange={(e) => setSubcodes(e.target.checked)} /> Include subcodes
        </label>
        <label>
          Coder{' '}
          <select value={coderId} onChange={(e) => setCoderId(e.target.value)} aria-label="Coder">
            <option value="">All coders</option>
            {coders.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Attribute{' '}
          <select value={attribute} onChange={(e) => setAttribute(e.target.value)} aria-label="Attribute">
            <option value="">Any document</option>
            {attributes.map((a) => (
              <option key={a}>{a}</option>
            ))}
          </select>
        </label>
        {attribute && <input aria-label="Attribute value" placeholder="value contains…" value={value} onChange={(e) => setValue(e.target.value)} />}
        <span className="muted">{shown.length} segments</span>
        <button type="button" className="close" onClick={onClose} aria-label="Close coded segments">
          ×
        </button>
      </header>
      <ul className="retrieval" aria-label="Coded segments">
        {shown.map((s) => (
          <li key={s.id}>
            <button type="button" className="retrieval-item" onClick={() => onOpen(s)} aria-label={`${s.document_name}: ${s.text}`}>
              <span className="retrieval-head">
                <span className="swatch" style={{ backgroundColor: s.code_color }} aria-hidden="true" />
                <strong>{s.document_name}</strong> · {s.code_name} · {s.coder_name}
              </span>
              <span className="retrieval-text">
                <span className="context">{s.before && `…${s.before}`}</span>
                <mark>{s.text}</mark>
                <span className="context">{s.after && `${s.after}…`}</span>
              </span>
              {s.memo && <span className="retrieval-memo">Memo: {s.memo}</span>}
            </button>
          </li>
        ))}
        {shown.length === 0 && <li className="muted">No coded segments.</li>}
      </ul>
    </section>
  );
}
