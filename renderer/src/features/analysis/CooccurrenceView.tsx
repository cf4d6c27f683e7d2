import { useEffect, useMemo, useState } from 'react';
import type { Output } from '../../../../main/api/contract';
import { call, downloadFrom } from '../../api/client';
import { AnalysisGrid, ScopeControls, scopeFilter, type Scope } from './AnalysisGrid';
import { JobProgress, partialNote, useAnalysisJob } from './use-analysis-job';

type Result = Output<'analysis.cooccurrence'>;
type Units = Output<'analysis.cooccurrencePassages'>;
type Unit = Result['unit'];

const UNITS: { value: Unit; label: string; counts: string }[] = [
  { value: 'overlap', label: 'Overlapping segments', counts: 'pairs of overlapping segments' },
  { value: 'paragraph', label: 'Same paragraph', counts: 'paragraphs with both codes' },
  { value: 'document', label: 'Same document', counts: 'documents with both codes' },
];

/** The code × code co-occurrence matrix, with the passages behind a cell. */
export function CooccurrenceView(props: { onClose: () => void; onOpen: (documentId: string, at: { start: number; end: number }) => void; onError: (e: unknown) => void }) {
  const { onError } = props;
  const [unit, setUnit] = useState<Unit>('overlap');
  const [scope, setScope] = useState<Scope>({ coder: '', set: '' });
  const [show, setShow] = useState<'count' | 'jaccard'>('count');
  const [usedOnly, setUsedOnly] = useState(true);
  const [selected, setSelected] = useState<{ a: string; b: string; at: [number, number] } | null>(null);
  const [units, setUnits] = useState<Units | null>(null);
  const filter = useMemo(() => scopeFilter(scope), [scope]);
  // Seconds at a million segments: counted in the background, the matrix so far shown as it grows.
  const { value: result, job, running, cancelled, cancel } = useAnalysisJob<Result>(
    JSON.stringify({ unit, filter }),
    () => call('analysis.cooccurrenceStart', { unit, filter }),
    (jobId) => call('analysis.cooccurrenceProgress', { jobId }),
    (jobId) => call('analysis.cancel', { jobId }),
    onError,
  );

  useEffect(() => {
    setSelected(null);
    setUnits(null);
  }, [unit, filter]);

  const codes = useMemo(() => (result ? result.codes.filter((c) => !usedOnly || c.frequency > 0) : []), [result, usedOnly]);
  const cells = useMemo(() => {
    const m = new Map<string, Result['cells'][number]>();
    for (const c of result?.cells ?? []) {
      m.set(`${c.a}|${c.b}`, c);
      m.set(`${c.b}|${c.a}`, c);
    }
    return m;
  }, [result]);
  const unitInfo = UNITS.find((u) => u.value === unit)!;

  const drill = (r: number, c: number) => {
    const a = codes[r]!;
    const b = codes[c]!;
    setSelected({ a: a.id, b: b.id, at: [r, c] });
    setUnits(null);
    call('analysis.cooccurrencePassages', { unit, filter, a: a.id, b: b.id, limit: 100 }).then(setUnits, onError);
  };
  const exportCsv = () =>
    call('analysis.cooccurrenceCsv', { unit, filter }).then((f) => downloadFrom(f.download, f.fileName), onError);

  const pathOf = (id: string) => result?.codes.find((c) => c.id === id)?.path ?? '';
  const total = selected ? cells.get(`${selected.a}|${selected.b}`)?.count ?? 0 : 0;

  return (
    <div className="dialog at-dialog" role="dialog" aria-modal="true" aria-labelledby="co-title">
      <div className="at-head">
        <h2 id="co-title">Code co-occurrence</h2>
        <button type="button" onClick={props.onClose}>
          Close
        </button>
      </div>
      <div className="at-controls">
        <label>
          Co-occur when{' '}
          <select aria-label="Co-occur when" value={unit} onChange={(e) => setUnit(e.target.value as Unit)}>
            {UNITS.map((u) => (
              <option key={u.value} value={u.value}>
                {u.label}
              </option>
            ))}
          </select>
        </label>
        <ScopeControls scope={scope} onChange={setScope} onError={onError} />
        <label>
          Show{' '}
          <select aria-label="Show" value={show} onChange={(e) => setShow(e.target.value as 'count' | 'jaccard')}>
            <option value="count">Counts</option>
            <option value="jaccard">Jaccard</option>
          </select>
        </label>
        <label>
          <input type="checkbox" checked={usedOnly} onChange={(e) => setUsedOnly(e.target.checked)} /> Only codes used
        </label>
        <button type="button" onClick={() => void exportCsv()} disabled={!result || running}>
          Export CSV
        </button>
      </div>
      <p className="at-note">
        Within each coder’s work. Counts are {unitInfo.counts}; the diagonal is how many {unit === 'overlap' ? 'segments have' : `${unit}s have`} the code.{' '}
        {unit === 'overlap' ? 'Jaccard here is the c-coefficient n(a,b) / (n(a) + n(b) − n(a,b)) over segments.' : 'Jaccard: units with both / units with either.'}
      </p>
      {running && job && <JobProgress job={job} label="Documents gone through" onCancel={cancel} />}
      {(running || cancelled) && result && <p role="status">{partialNote(result.partial, running, cancelled)}</p>}
      <div className="at-body">
        {!result ? (
          <p role="status">{cancelled ? 'Cancelled.' : 'Counting…'}</p>
        ) : codes.length === 0 ? (
          <p role="status">No segments in this scope.</p>
        ) : (
          <AnalysisGrid
            caption={`${result.partial ? `So far (${result.partial.done.toLocaleString()} of ${result.partial.total.toLocaleString()} documents): ` : ''}Co-occurrence by ${unitInfo.label.toLowerCase()}, ${show === 'count' ? 'counts' : 'Jaccard'}; coders: ${result.scope}`}
            corner="Code"
            rows={codes.map((c) => ({ key: c.id, label: c.path }))}
            columns={codes.map((c) => ({ key: c.id, label: c.path }))}
            selected={selected?.at ?? null}
            cell={(r, c) => {
              const a = codes[r]!;
              const b = codes[c]!;
              if (r === c) return { text: String(a.frequency), label: `${a.path}: ${a.frequency} ${unit === 'overlap' ? 'segments' : `${unit}s`}`, inert: true };
              const x = cells.get(`${a.id}|${b.id}`);
              const n = x?.count ?? 0;
              const text = show === 'count' ? String(n) : n ? x!.jaccard.toFixed(3) : '0';
              return { text, label: `${a.path} with ${b.path}: ${n} (Jaccard ${x ? x.jaccard.toFixed(3) : '0'})`, inert: n === 0 };
            }}
            onActivate={drill}
          />
        )}
        {selected && (
          <section className="at-passages" aria-label="Co-occurring passages">
            <h3>
              {pathOf(selected.a)} with {pathOf(selected.b)}: {total} {unitInfo.counts}
              {units && units.length < total ? ` (first ${units.length} shown)` : ''}
            </h3>
            {!units ? (
              <p role="status">Loading…</p>
            ) : (
              <ol>
                {units.map((u, i) => (
                  <li key={`${u.document_id}-${u.coder_id}-${i}`}>
                    <strong>{u.document_name}</strong> <span className="muted">({u.coder_name})</span>{' '}
                    <button type="button" onClick={() => props.onOpen(u.document_id, u.a[0] ?? u.b[0]!)}>
                      Open
                    </button>
                    {u.a.map((p) => (
                      <p key={p.segment_id} className="at-passage a">
                        <span className="muted">{pathOf(selected.a)}: </span>
                        {p.text}
                      </p>
                    ))}
                    {u.b.map((p) => (
                      <p key={p.segment_id} className="at-passage b">
                        <span className="muted">{pathOf(selected.b)}: </span>
                        {p.text}
                      </p>
                    ))}
                  </li>
                ))}
              </ol>
            )}
          </section>
        )}
      </div>
    </div>
  );
}
