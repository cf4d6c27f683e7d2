import { useEffect, useMemo, useState } from 'react';
import { JobProgress, partialNote, useAnalysisJob } from './use-analysis-job';
import type { Input, Output } from '../../../../main/api/contract';
import { call, downloadFrom } from '../../api/client';
import { AnalysisGrid, ScopeControls, scopeFilter, type GridCell, type Scope } from './AnalysisGrid';

type Table = Output<'analysis.crosstab'>;
type Segments = Output<'analysis.crosstabPassages'>;
type Variable = Output<'variables.list'>[number];
type Measure = Table['measure'];
type Percent = 'none' | 'row' | 'column';
type By = Input<'analysis.crosstab'>['by'];

const MEASURES: { value: Measure; label: string }[] = [
  { value: 'count', label: 'Count of segments' },
  { value: 'presence', label: 'Presence (documents with the code)' },
  { value: 'share', label: 'Coverage (share of the text coded)' },
  { value: 'characters', label: 'Characters coded' },
];
const PAGE = 40;

/** The value a cell shows, as the core's crosstab CSV computes it. */
function shown(t: Table, i: number, j: number, percent: Percent): number | null {
  const v = t.cells[i]![j]!;
  if (percent === 'none') return v;
  const total = percent === 'row' ? t.row_totals[i]! : t.column_totals[j];
  if (total === null || total === undefined || t.measure === 'share') return null;
  return total > 0 ? Math.round((v / total) * 1000) / 10 : 0;
}

const format = (v: number | null, measure: Measure, percent: Percent): string =>
  v === null ? '—' : percent !== 'none' ? `${v.toFixed(1)}%` : measure === 'share' ? `${(v * 100).toFixed(1)}%` : String(v);

/** Codes × documents or codes × attribute values: the matrix export's numbers, with the segments behind a cell. */
export function CrosstabView(props: { onClose: () => void; onOpen: (documentId: string, at: { start: number; end: number }) => void; onError: (e: unknown) => void }) {
  const { onError } = props;
  const [variables, setVariables] = useState<Variable[]>([]);
  const [columnsBy, setColumnsBy] = useState('document');
  const [bucket, setBucket] = useState<'value' | 'month' | 'year'>('value');
  const [measure, setMeasure] = useState<Measure>('count');
  const [percent, setPercent] = useState<Percent>('none');
  const [rollup, setRollup] = useState(false);
  const [scope, setScope] = useState<Scope>({ coder: '', set: '' });
  const [offset, setOffset] = useState(0);
  const [selected, setSelected] = useState<[number, number] | null>(null);
  const [segments, setSegments] = useState<Segments | null>(null);

  useEffect(() => {
    call('variables.list', {}).then(setVariables, onError);
  }, [onError]);
  const variable = variables.find((v) => v.name === columnsBy);
  const by: By = useMemo(
    () => (columnsBy === 'document' ? { kind: 'document' } : { kind: 'attribute', name: columnsBy, ...(variable?.type === 'date' ? { bucket } : {}) }),
    [columnsBy, bucket, variable?.type],
  );
  const input = useMemo(() => ({ by, measure, rollup, filter: scopeFilter(scope) }), [by, measure, rollup, scope]);
  useEffect(() => setOffset(0), [input]);
  // By outlet or month at a million segments this takes seconds: counted in the background, the table so far shown as it grows.
  const { value: table, job, running, cancelled, cancel } = useAnalysisJob<Table>(
    JSON.stringify({ input, offset }),
    () => call('analysis.crosstabStart', { ...input, offset, limit: PAGE }),
    (jobId) => call('analysis.crosstabProgress', { jobId }),
    (jobId) => call('analysis.cancel', { jobId }),
    onError,
  );
  useEffect(() => {
    setSelected(null);
    setSegments(null);
  }, [input, offset]);
  useEffect(() => {
    if (measure === 'share' && percent !== 'none') setPercent('none');
  }, [measure, percent]);

  const drill = (i: number, j: number) => {
    if (!table) return;
    setSelected([i, j]);
    setSegments(null);
    const col = table.columns[j]!;
    call('analysis.crosstabPassages', { ...input, codeId: table.codes[i]!.id, column: { document_id: col.document_id, value: col.value, coder_id: col.coder_id }, limit: 200 }).then(
      setSegments,
      onError,
    );
  };
  const exportCsv = () => call('analysis.crosstabCsv', { ...input, percent }).then((f) => downloadFrom(f.download, f.fileName), onError);

  const columnWord = columnsBy === 'document' ? 'documents' : `${columnsBy}${variable?.type === 'date' && bucket !== 'value' ? ` (${bucket})` : ''}`;
  const measureLabel = MEASURES.find((m) => m.value === measure)!.label;
  const cell = (t: Table, i: number, j: number): GridCell => {
    const v = shown(t, i, j, percent);
    const raw = t.cells[i]![j]!;
    return { text: format(v, measure, percent), label: `${t.codes[i]!.path} in ${t.columns[j]!.label}: ${format(v, measure, percent)}`, inert: raw === 0 };
  };

  return (
    <div className="dialog at-dialog" role="dialog" aria-modal="true" aria-labelledby="ct-title">
      <div className="at-head">
        <h2 id="ct-title">Crosstabs</h2>
        <button type="button" onClick={props.onClose}>
          Close
        </button>
      </div>
      <div className="at-controls">
        <label>
          Columns{' '}
          <select aria-label="Columns" value={columnsBy} onChange={(e) => setColumnsBy(e.target.value)}>
            <option value="document">Documents</option>
            {variables.map((v) => (
              <option key={v.id} value={v.name}>
                Attribute: {v.name}
              </option>
            ))}
          </select>
        </label>
        {variable?.type === 'date' && (
          <label>
            Group dates by{' '}
            <select aria-label="Group dates by" value={bucket} onChange={(e) => setBucket(e.target.value as 'value')}>
              <option value="value">Day</option>
              <option value="month">Month</option>
              <option value="year">Year</option>
            </select>
          </label>
        )}
        <label>
          Cells{' '}
          <select aria-label="Cells" value={measure} onChange={(e) => setMeasure(e.target.value as Measure)}>
            {MEASURES.map((m) => (
              <option key={m.value} value={m.value}>
                {m.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Percent{' '}
          <select aria-label="Percent" value={percent} disabled={measure === 'share'} onChange={(e) => setPercent(e.target.value as Percent)}>
            <option value="none">None</option>
            <option value="row">Of the row (code)</option>
            <option value="column">Of the column</option>
          </select>
        </label>
        <label>
          <input type="checkbox" checked={rollup} onChange={(e) => setRollup(e.target.checked)} /> Subcodes count for their parents
        </label>
        <ScopeControls scope={scope} onChange={setScope} onError={onError} />
        <button type="button" onClick={() => void exportCsv()} disabled={!table || running}>
          Export CSV
        </button>
      </div>
      <p className="at-note">
        The matrix export’s values{columnsBy === 'document' ? '' : ', added up over the documents of each value'}. When two or more coders are covered, each column is one coder’s.
      </p>
      {running && job && <JobProgress job={job} label="Documents gone through" onCancel={cancel} />}
      {(running || cancelled) && table && <p role="status">{partialNote(table.partial, running, cancelled)}</p>}
      <div className="at-body">
        {!table ? (
          <p role="status">{cancelled ? 'Cancelled.' : 'Counting…'}</p>
        ) : (
          <>
            {table.total_columns > PAGE && (
              <div className="at-pager" role="group" aria-label="Columns shown">
                <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
                  Previous columns
                </button>
                <span>
                  {columnsBy === 'document' ? 'Documents' : 'Values'} {table.offset + 1}–{table.offset + table.columns.length} of {table.total_columns}
                </span>
                <button type="button" disabled={table.offset + table.columns.length >= table.total_columns} onClick={() => setOffset(offset + PAGE)}>
                  Next columns
                </button>
              </div>
            )}
            <AnalysisGrid
              caption={`${table.partial ? `So far (${table.partial.done.toLocaleString()} of ${table.partial.total.toLocaleString()} documents): ` : ''}Codes × ${columnWord}: ${measureLabel.toLowerCase()}${percent === 'none' ? '' : `, percent of the ${percent}`}; coders: ${table.scope}`}
              corner="Code"
              rows={table.codes.map((c) => ({ key: c.id, label: c.path }))}
              columns={table.columns.map((c) => ({ key: c.key, label: c.label }))}
              selected={selected}
              cell={(i, j) => cell(table, i, j)}
              totalColumn={{
                label: measure === 'share' ? 'All' : 'Total',
                cells: table.row_totals.map((v, i) => ({ text: format(v, measure, 'none'), label: `${table.codes[i]!.path}, ${measure === 'share' ? 'all columns' : 'total'}: ${format(v, measure, 'none')}` })),
              }}
              totalRow={
                measure === 'share'
                  ? undefined
                  : { label: 'Total', cells: table.column_totals.map((v, j) => ({ text: String(v ?? '—'), label: `${table.columns[j]!.label}, total: ${v ?? '—'}` })) }
              }
              onActivate={drill}
            />
          </>
        )}
        {selected && table && (
          <section className="at-passages" aria-label="Coded segments of the cell">
            <h3>
              {table.codes[selected[0]]!.path} in {table.columns[selected[1]]!.label}
              {segments ? `: ${segments.length} segment${segments.length === 1 ? '' : 's'}${segments.length === 200 ? ' (first 200)' : ''}` : ''}
            </h3>
            {!segments ? (
              <p role="status">Loading…</p>
            ) : (
              <ol>
                {segments.map((s) => (
                  <li key={s.id}>
                    <strong>{s.document_name}</strong> <span className="muted">({s.coder_name}, {s.code_name})</span>{' '}
                    <button type="button" onClick={() => props.onOpen(s.document_id, s)}>
                      Open
                    </button>
                    <p className="at-passage a">
                      <span className="muted">…{s.before}</span>
                      <mark>{s.text}</mark>
                      <span className="muted">{s.after}…</span>
                    </p>
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
