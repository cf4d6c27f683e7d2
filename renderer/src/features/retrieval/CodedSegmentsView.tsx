import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { Code, Coder, SegmentCursor, SegmentWithContext } from '../../../../main/api/contract/entities';
import { call } from '../../api/client';
import { SafeText } from '../../app/SafeText';
import { markedName } from '../../../../main/api/contract/safe-text';
import { CodeOptions } from '../codebook/CodeOptions';
import { DocumentSetsFilter } from '../analysis/DocumentSetsFilter';

interface Props {
  codes: Code[];
  coders: Coder[];
  codeId: string | null;
  version: number;
  onCodeChange: (id: string) => void;
  onOpen: (segment: SegmentWithContext) => void;
  onClose: () => void;
}

const PAGE = 50;
/** Load the next page when the end of the list is this close (pixels). */
const NEAR_END = 600;

/**
 * Retrieval: the segments of a code (optionally with subcodes) across documents, filterable by
 * coder and by a document attribute. The first page and the total come at once; the next
 * pages as the list is scrolled to its end, so a theme with 300,000 segments opens as fast
 * as one with three.
 */
export function CodedSegmentsView({ codes, coders, codeId, version, onCodeChange, onOpen, onClose }: Props) {
  const [subcodes, setSubcodes] = useState(true);
  const [coderId, setCoderId] = useState('');
  const [attribute, setAttribute] = useState('');
  const [value, setValue] = useState('');
  const [appliedValue, setAppliedValue] = useState('');
  const [setId, setSetId] = useState('');
  const [attributes, setAttributes] = useState<string[]>([]);
  const [segments, setSegments] = useState<SegmentWithContext[]>([]);
  const [total, setTotal] = useState<number | null>(null);
  const [next, setNext] = useState<SegmentCursor | null>(null);
  const [error, setError] = useState('');
  const loadingMore = useRef(false);
  const generation = useRef(0);
  const code = codes.find((c) => c.id === codeId) ?? null;

  useEffect(() => {
    const t = setTimeout(() => setAppliedValue(value), 200);
    return () => clearTimeout(t);
  }, [value]);

  useEffect(() => {
    call('variables.list', {}).then((vs) => setAttributes(vs.map((v) => v.name)), console.error);
  }, [version]);

  const filter = useCallback(
    () => ({
      ...(codeId ? { codeId, includeSubcodes: subcodes } : {}),
      ...(coderId ? { coderIds: [coderId] } : {}),
      ...(attribute && appliedValue.trim() ? { attribute, value: appliedValue.trim() } : {}),
      ...(setId ? { setId } : {}),
      context: 80,
    }),
    [codeId, subcodes, coderId, attribute, appliedValue, setId],
  );

  // A layout effect, so that the first page is asked for before the lists of attributes and sets
  // (passive effects, the children's first): the project answers one request at a time, in the
  // order they came, and the page is what the reader waits for.
  useLayoutEffect(() => {
    const gen = ++generation.current;
    loadingMore.current = false;
    call('segments.page', { ...filter(), limit: PAGE }).then(
      (p) => {
        if (gen !== generation.current) return;
        setSegments(p.segments);
        setTotal(p.total);
        setNext(p.next);
        setError('');
      },
      (e: Error) => gen === generation.current && setError(e.message),
    );
  }, [filter, version]);

  const loadMore = () => {
    if (!next || loadingMore.current) return;
    loadingMore.current = true;
    const gen = generation.current;
    call('segments.page', { ...filter(), limit: PAGE, after: next })
      .then(
        (p) => {
          if (gen !== generation.current) return;
          setSegments((prev) => [...prev, ...p.segments]);
          setTotal(p.total);
          setNext(p.next);
        },
        (e: Error) => gen === generation.current && setError(e.message),
      )
      .finally(() => {
        if (gen === generation.current) loadingMore.current = false;
      });
  };

  const onScroll = (e: React.UIEvent<HTMLUListElement>) => {
    const el = e.currentTarget;
    if (el.scrollHeight - el.scrollTop - el.clientHeight < NEAR_END) loadMore();
  };

  return (
    <section className="bottom-view" aria-label="Coded segments view">
      <header className="row">
        <h3>
          Coded segments{code ? ': ' : ' (all codes)'}
          {code && <SafeText text={code.path} />}
        </h3>
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
        <DocumentSetsFilter label="Only documents of set" value={setId} onChange={setSetId} />
        <span className="muted" role="status">
          {total === null ? '' : segments.length < total ? `${segments.length.toLocaleString()} of ${total.toLocaleString()} segments shown` : `${total.toLocaleString()} segments`}
        </span>
        <button type="button" className="close" onClick={onClose} aria-label="Close coded segments">
          ×
        </button>
      </header>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <ul className="retrieval" aria-label="Coded segments" onScroll={onScroll}>
        {segments.map((s) => (
          <li key={s.id}>
            <button type="button" className="retrieval-item" onClick={() => onOpen(s)} aria-label={`${markedName(s.document_name)}: ${s.text}`}>
              <span className="retrieval-head">
                <span className="swatch" style={{ backgroundColor: s.code_color }} aria-hidden="true" />
                <strong><SafeText text={s.document_name} /></strong> · <SafeText text={s.code_name} /> · <SafeText text={s.coder_name} />
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
        {total === 0 && <li className="muted">No coded segments.</li>}
        {next && (
          <li>
            <button type="button" className="retrieval-more" onClick={loadMore}>
              Show more segments
            </button>
          </li>
        )}
      </ul>
    </section>
  );
}
