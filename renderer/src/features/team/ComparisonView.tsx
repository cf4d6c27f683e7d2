import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Output } from '../../../../main/api/contract';
import { call, onChange } from '../../api/client';
import './team.css';

type Doc = Output<'documents.get'>;
type Coder = Output<'coders.list'>[number];
type Segment = Output<'segments.list'>[number];
type Disagreement = Output<'team.disagreements'>[number];

interface Paragraph {
  start: number;
  end: number;
  /** The paragraph's code points, so offsets slice correctly past emoji. */
  chars: string[];
}

/** Lines of the text with their code-point offsets (the unit of every segment). */
function paragraphsOf(text: string): Paragraph[] {
  const out: Paragraph[] = [];
  let chars: string[] = [];
  let start = 0;
  let pos = 0;
  for (const ch of text) {
    if (ch === '\n') {
      out.push({ start, end: pos, chars });
      chars = [];
      start = pos + 1;
    } else chars.push(ch);
    pos++;
  }
  out.push({ start, end: pos, chars });
  return out.filter((p) => p.chars.some((c) => c.trim() !== ''));
}

const overlaps = (a: { start: number; end: number }, b: { start: number; end: number }) => a.start < b.end && b.start < a.end;

function ParagraphText(props: { p: Paragraph; mark: Disagreement | null }) {
  const { p, mark } = props;
  if (!mark || !overlaps(p, mark)) return <p>{p.chars.join('')}</p>;
  const s = Math.max(mark.start, p.start) - p.start;
  const e = Math.min(mark.end, p.end) - p.start;
  return (
    <p>
      {p.chars.slice(0, s).join('')}
      <mark>{p.chars.slice(s, e).join('')}</mark>
      {p.chars.slice(e).join('')}
    </p>
  );
}

/**
 * Coders' stripes side by side for one document, stepping through their disagreements;
 * settling one copies the chosen coding into the "consensus" coder with a memo saying why.
 */
export function ComparisonView(props: { documentId: string; onClose: () => void }) {
  const [doc, setDoc] = useState<Doc | null>(null);
  const [coders, setCoders] = useState<Coder[]>([]);
  const [segments, setSegments] = useState<Segment[]>([]);
  const [chosen, setChosen] = useState<string[]>([]);
  const [disagreements, setDisagreements] = useState<Disagreement[]>([]);
  const [index, setIndex] = useState(0);
  const [choice, setChoice] = useState<string>('');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  const rows = useRef(new Map<number, HTMLDivElement>());

  useEffect(() => onChange(() => setVersion((v) => v + 1)), []);

  useEffect(() => {
    let live = true;
    Promise.all([call('documents.get', { id: props.documentId }), call('coders.list', {}), call('segments.list', { documentId: props.documentId }), call('team.visibleCoders', {})]).then(
      ([d, all, s, visible]) => {
        if (!live) return;
        // In an open reliability round the round's other coders are not offered: their work is hidden from this coder.
        const k = all.filter((c) => !visible.hidden_coder_ids.includes(c.id));
        setDoc(d);
        setCoders(k);
        setSegments(s);
        setChosen((cur) => {
          if (cur.length >= 2) return cur;
          // Default: the two coders with the most coding here, the consensus layer aside.
          const counts = new Map<string, number>();
          for (const seg of s) counts.set(seg.coder_id, (counts.get(seg.coder_id) ?? 0) + 1);
          return k
            .filter((c) => c.name !== 'consensus')
            .sort((a, b) => (counts.get(b.id) ?? 0) - (counts.get(a.id) ?? 0))
            .slice(0, 2)
            .map((c) => c.id);
        });
      },
      (e: Error) => live && setError(e.message),
    );
    return () => {
      live = false;
    };
  }, [props.documentId, version]);

  useEffect(() => {
    if (chosen.length < 2) {
      setDisagreements([]);
      return;
    }
    let live = true;
    call('team.disagreements', { documentId: props.documentId, coderIds: chosen }).then(
      (d) => {
        if (!live) return;
        setDisagreements(d);
        setIndex((i) => Math.min(i, Math.max(0, d.length - 1)));
      },
      (e: Error) => live && setError(e.message),
    );
    return () => {
      live = false;
    };
  }, [props.documentId, chosen, version]);

  const paragraphs = useMemo(() => (doc ? paragraphsOf(doc.text) : []), [doc]);
  const current = disagreements[index] ?? null;
  const consensus = coders.find((c) => c.name === 'consensus');
  const columns = useMemo(() => {
    const ids = [...chosen];
    if (consensus && !ids.includes(consensus.id)) ids.push(consensus.id);
    return ids.map((id) => coders.find((c) => c.id === id)).filter((c): c is Coder => !!c);
  }, [chosen, coders, consensus]);

  const go = useCallback(
    (next: number) => {
      if (disagreements.length === 0) return;
      const i = (next + disagreements.length) % disagreements.length;
      setIndex(i);
      setChoice('');
      setReason('');
      setStatus(null);
    },
    [disagreements],
  );

  // Bring the marked passage of the current disagreement into view once it is drawn.
  useEffect(() => {
    if (!current) return;
    const p = paragraphs.findIndex((x) => overlaps(x, current));
    rows.current.get(p)?.querySelector('mark')?.scrollIntoView({ block: 'center' });
  }, [current, paragraphs]);

  async function settle() {
    if (!current) return;
    setError(null);
    try {
      await call('team.resolve', {
        documentId: props.documentId,
        codeId: current.code_id,
        start: current.start,
        end: current.end,
        chosenCoderId: choice === 'none' ? null : choice,
        reason,
      });
      setStatus(`Settled: ${choice === 'none' ? 'not coded' : `kept ${coders.find((c) => c.id === choice)?.name}'s coding`}. Copied into the consensus coder.`);
      setReason('');
      setChoice('');
    } catch (e) {
      setError((e as Error).message);
    }
  }

  const gridColumns = `minmax(0, 1fr) repeat(${columns.length}, 84px)`;

  return (
    <section aria-label="Compare coders" className="compare" data-document={props.documentId}>
      <div className="compare-toolbar">
        <strong>Compare coders{doc ? `: ${doc.name}` : ''}</strong>
        <fieldset className="team-form">
          <legend className="muted">Coders compared</legend>
          {coders
            .filter((c) => c.name !== 'consensus')
            .map((c) => (
              <label key={c.id} className="team-radio">
                <input
                  type="checkbox"
                  checked={chosen.includes(c.id)}
                  onChange={(e) => setChosen((cur) => (e.target.checked ? [...cur, c.id] : cur.filter((x) => x !== c.id)))}
                />
                {c.name}
              </label>
            ))}
        </fieldset>
        <button type="button" onClick={() => go(index - 1)} disabled={disagreements.length === 0}>
          Previous disagreement
        </button>
        <span role="status" aria-live="polite">
          {chosen.length < 2
            ? 'Choose two or more coders.'
            : disagreements.length === 0
              ? 'No disagreements.'
              : `Disagreement ${index + 1} of ${disagreements.length}`}
        </span>
        <button type="button" onClick={() => go(index + 1)} disabled={disagreements.length === 0}>
          Next disagreement
        </button>
        <button type="button" onClick={props.onClose}>
          Close
        </button>
      </div>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <div className="compare-body">
        <div className="compare-text" role="document" aria-label="Document with each coder's stripes">
          <div className="compare-row compare-col-head" style={{ gridTemplateColumns: gridColumns }}>
            <span>Text</span>
            {columns.map((c) => (
              <span key={c.id}>{c.name}</span>
            ))}
          </div>
          {paragraphs.map((p, i) => (
            <div
              key={p.start}
              ref={(el) => {
                if (el) rows.current.set(i, el);
                else rows.current.delete(i);
              }}
              className={`compare-row${current && overlaps(p, current) ? ' current' : ''}`}
              style={{ gridTemplateColumns: gridColumns }}
            >
              <ParagraphText p={p} mark={current} />
              {columns.map((c) => (
                <div key={c.id} className="compare-col" aria-label={`${c.name}'s codes in this paragraph`}>
                  {/* Shown when the view is too narrow for columns and each coder's codes go under the paragraph. */}
                  <span className="compare-col-name" aria-hidden="true">
                    {c.name}:
                  </span>
                  {segments
                    .filter((s) => s.coder_id === c.id && overlaps(s, p))
                    .map((s) => (
                      <span key={s.id} className="team-stripe" style={{ borderLeftColor: s.code_color }} title={`${s.code_name}: ${s.text}`}>
                        {s.code_name}
                      </span>
                    ))}
                </div>
              ))}
            </div>
          ))}
        </div>
        <aside className="compare-side" aria-label="Current disagreement">
          {current ? (
            <>
              <h4>{current.code_path}</h4>
              <blockquote>{current.text}</blockquote>
              <ul>
                {current.coders.map((c) => (
                  <li key={c.coder_id}>
                    {c.coder_name}: {c.coded ? 'coded' : 'did not code'}
                  </li>
                ))}
              </ul>
              {current.decision && (
                <p className="compare-decision">
                  Settled earlier: {current.decision.chosen_coder_name ? `kept ${current.decision.chosen_coder_name}'s coding` : 'not coded'} — {current.decision.reason}
                </p>
              )}
              <fieldset>
                <legend>Settle as</legend>
                {current.coders
                  .filter((c) => c.coded)
                  .map((c) => (
                    <label key={c.coder_id} className="team-radio">
                      <input type="radio" name="consensus-choice" value={c.coder_id} checked={choice === c.coder_id} onChange={() => setChoice(c.coder_id)} />
                      Keep {c.coder_name}’s coding
                    </label>
                  ))}
                <label className="team-radio">
                  <input type="radio" name="consensus-choice" value="none" checked={choice === 'none'} onChange={() => setChoice('none')} />
                  Not coded
                </label>
              </fieldset>
              <label className="field">
                Why (kept as a memo)
                <textarea value={reason} onChange={(e) => setReason(e.target.value)} />
              </label>
              <button type="button" className="primary" onClick={() => void settle()} disabled={!choice || !reason.trim()}>
                Settle disagreement
              </button>
              {status && <p role="status">{status}</p>}
            </>
          ) : (
            <p className="muted">{chosen.length < 2 ? 'Choose two or more coders to compare.' : 'The chosen coders agree on every code in this document.'}</p>
          )}
        </aside>
      </div>
    </section>
  );
}
