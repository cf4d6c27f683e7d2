import { useEffect, useMemo, useRef, useState } from 'react';
import { ApiError, call, downloadFrom } from '../../api/client';
import type { Input, Output } from '../../../../main/api/contract';
import './exchange.css';

type ExportInput = Input<'exchange.export'>;
type Format = ExportInput['format'];
type TableFormat = Input<'exchange.preview'>['format'];
type Measure = NonNullable<ExportInput['measure']>;
type Delimiter = NonNullable<ExportInput['delimiter']>;
type Target = NonNullable<ExportInput['for']>;

const FORMATS: { value: Format; label: string }[] = [
  { value: 'segments', label: 'Segments table (CSV, one row per coded segment)' },
  { value: 'matrix', label: 'Document × code matrix (CSV)' },
  { value: 'codebook', label: 'Codebook (CSV)' },
  { value: 'documents', label: 'Documents with attributes (CSV)' },
  { value: 'memos', label: 'Memos (CSV)' },
  { value: 'bundle', label: 'Dataset bundle (.zip: all tables, data dictionary, README)' },
  { value: 'qdpx', label: 'REFI-QDA project (.qdpx) for ATLAS.ti, MAXQDA, NVivo, QualCoder' },
  { value: 'qdc', label: 'REFI-QDA codebook (.qdc)' },
];

/** Which program a .qdpx is for: they count positions in different units (the same only before the first emoji). */
const TARGETS: { value: Target; label: string }[] = [
  { value: 'standard', label: 'ATLAS.ti, MAXQDA, QualCoder and other REFI-QDA programs (positions in code points)' },
  { value: 'nvivo', label: 'NVivo (positions in UTF-16 units, as NVivo counts them)' },
];

const MEASURES: { value: Measure; label: string }[] = [
  { value: 'count', label: 'Number of segments' },
  { value: 'presence', label: 'Presence (0 or 1)' },
  { value: 'characters', label: 'Coded characters' },
  { value: 'share', label: 'Share of the text coded' },
];

/** Rows the preview asks for: fewer back means the preview shows every row. */
const PREVIEW_ROWS = 8;

/** UUID columns are kept narrow in the preview so the readable columns come into view. */
const isIdColumn = (name: string) => name.endsWith('_id');

const isTable = (f: Format): f is TableFormat => f !== 'bundle' && f !== 'qdpx' && f !== 'qdc';

type ExportJob = Output<'exchange.exportStart'>;

/** How often a running export is asked how far it has got. */
const POLL_MS = 250;

/** "12.4 MB": a size as people read it. */
function size(bytes: number): string {
  if (bytes < 1000) return `${bytes} bytes`;
  if (bytes < 1e6) return `${(bytes / 1e3).toFixed(0)} KB`;
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

const message = (err: unknown) => (err instanceof ApiError ? err.message : String(err));

/** What a running export has written so far, in words. */
function progressText(job: ExportJob): string {
  const rows = job.rows ? `${job.rows.toLocaleString()} rows, ` : '';
  return `Exporting ${job.fileName}: ${rows}${size(job.bytes)} written…`;
}

/** The Export dialog: choose a format, filters and options, look at the first rows, then save. */
export function ExportDialog(props: { onClose: () => void }) {
  const [format, setFormat] = useState<Format>('segments');
  const [coders, setCoders] = useState<Output<'coders.list'>>([]);
  const [codes, setCodes] = useState<Output<'codes.list'>>([]);
  const [chosenCoders, setChosenCoders] = useState<string[]>([]);
  /** Whose coding is exported: every coder (each apart, the consensus layer left out), the ticked coders, or the consensus layer alone. */
  const [scope, setScope] = useState<'all' | 'chosen' | 'consensus'>('all');
  const [code, setCode] = useState('');
  const [subcodes, setSubcodes] = useState(true);
  const [where, setWhere] = useState('');
  /** A document set (its id): only its documents. */
  const [documentSet, setDocumentSet] = useState('');
  const [sets, setSets] = useState<Output<'sets.list'>>([]);
  const [measure, setMeasure] = useState<Measure>('count');
  const [rollup, setRollup] = useState(false);
  const [delimiter, setDelimiter] = useState<Delimiter>('comma');
  const [excel, setExcel] = useState(false);
  const [raw, setRaw] = useState(false);
  const [target, setTarget] = useState<Target>('standard');
  const [preview, setPreview] = useState<Output<'exchange.preview'> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState('');
  /** The export being written, while it is. */
  const [job, setJob] = useState<ExportJob | null>(null);
  /** The running job's id, for Cancel, Close and leaving the dialog. */
  const running = useRef<string | null>(null);

  // Leaving the dialog stops an export still being written (its temporary file is removed).
  useEffect(
    () => () => {
      if (running.current) void call('exchange.exportCancel', { jobId: running.current }).catch(() => undefined);
      running.current = null;
    },
    [],
  );

  useEffect(() => {
    void Promise.all([call('coders.list', {}), call('codes.list', {}), call('sets.list', {})]).then(
      ([k, c, s]) => {
        setCoders(k);
        setCodes(c);
        setSets(s);
      },
      (err: unknown) => setError(err instanceof ApiError ? err.message : String(err)),
    );
  }, []);

  const filtered = format !== 'qdpx' && format !== 'qdc';
  const filter = useMemo(() => {
    const conditions = where
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    return {
      ...(scope === 'chosen' && chosenCoders.length ? { coders: chosenCoders } : {}),
      ...(scope === 'consensus' ? { consensus: true } : {}),
      ...(code ? { code, subcodes } : {}),
      ...(conditions.length ? { where: conditions } : {}),
      ...(documentSet ? { set: documentSet } : {}),
    };
  }, [scope, chosenCoders, code, subcodes, where, documentSet]);
  const consensusLayer = coders.some((c) => c.name === 'consensus');
  const matrixOptions = format === 'matrix' || format === 'bundle' ? { measure, rollup } : {};

  // The preview follows every change; a bundle is previewed by its segments table.
  useEffect(() => {
    if (!filtered) {
      setPreview(null);
      return;
    }
    const table: TableFormat = isTable(format) ? format : 'segments';
    let live = true;
    const timer = setTimeout(() => {
      call('exchange.preview', { format: table, filter, ...(table === 'matrix' ? { measure, rollup } : {}), limit: PREVIEW_ROWS }).then(
        (p) => {
          if (!live) return;
          setPreview(p);
          setError(null);
        },
        (err: unknown) => live && (setPreview(null), setError(err instanceof ApiError ? err.message : String(err))),
      );
    }, 200);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [format, filter, measure, rollup, filtered]);

  /**
   * Main writes the export to a temporary file in the background (progress and Cancel here),
   * then the page downloads it from a one-time address: a 500 MB table never passes through
   * this page's memory or the API's JSON.
   */
  async function save() {
    setError(null);
    setStatus('');
    try {
      const csv = isTable(format) ? { delimiter, excel, raw } : format === 'bundle' ? { delimiter, raw } : {};
      const refi = format === 'qdpx' ? { for: target } : {};
      let state = await call('exchange.exportStart', { format, ...(filtered ? { filter } : {}), ...matrixOptions, ...csv, ...refi });
      running.current = state.jobId;
      setJob(state);
      while (!state.finished) {
        await new Promise((r) => setTimeout(r, POLL_MS));
        if (running.current !== state.jobId) return;
        state = await call('exchange.exportProgress', { jobId: state.jobId });
        setJob(state);
      }
      if (state.cancelled) setStatus(`Export cancelled; ${state.fileName} was not saved.`);
      else if (state.error) setError(state.error.message);
      else if (state.download) {
        downloadFrom(state.download, state.fileName);
        setStatus(`Saved ${state.fileName} (${size(state.bytes)}${state.rows ? `, ${state.rows.toLocaleString()} rows` : ''})${state.scope ? `; coders: ${state.scope}` : ''}.`);
      }
    } catch (err) {
      setError(message(err));
    } finally {
      running.current = null;
      setJob(null);
    }
  }

  function cancel() {
    const jobId = running.current;
    if (!jobId) return;
    setStatus('Cancelling…');
    // The poll in save() sees the job finish as cancelled and says so.
    void call('exchange.exportCancel', { jobId }).catch((err: unknown) => setError(message(err)));
  }

  const toggleCoder = (name: string, on: boolean) => {
    setChosenCoders((prev) => (on ? [...prev, name] : prev.filter((n) => n !== name)));
    if (on) setScope('chosen');
  };

  return (
    <div role="dialog" aria-modal="true" aria-labelledby="export-title" className="dialog exchange-dialog">
      <h3 id="export-title">Export</h3>
      <label className="exchange-row">
        Format
        <select value={format} onChange={(e) => setFormat(e.target.value as Format)}>
          {FORMATS.map((f) => (
            <option key={f.value} value={f.value}>
              {f.label}
            </option>
          ))}
        </select>
      </label>

      {filtered && (
        <fieldset className="exchange-fieldset">
          <legend>Filters</legend>
          <div role="radiogroup" aria-label="Whose coding" className="exchange-coders">
            <span>Whose coding</span>
            <label>
              <input type="radio" name="export-scope" checked={scope === 'all'} onChange={() => setScope('all')} /> All coders, each counted apart
            </label>
            <label>
              <input type="radio" name="export-scope" checked={scope === 'chosen'} onChange={() => setScope('chosen')} /> Chosen coders
            </label>
            {consensusLayer && (
              <label>
                <input type="radio" name="export-scope" checked={scope === 'consensus'} onChange={() => setScope('consensus')} /> Consensus layer only
              </label>
            )}
          </div>
          <div role="group" aria-label="Coders" className="exchange-coders">
            <span>Coders</span>
            {coders
              .filter((c) => c.name !== 'consensus')
              .map((c) => (
                <label key={c.id}>
                  <input type="checkbox" checked={scope === 'chosen' && chosenCoders.includes(c.name)} onChange={(e) => toggleCoder(c.name, e.target.checked)} /> {c.name}
                </label>
              ))}
          </div>
          {preview && (
            <p role="status" aria-label="Coder scope" className="exchange-scope">
              Coders: {preview.scope}.
            </p>
          )}
          <label className="exchange-row">
            Code
            <select value={code} onChange={(e) => setCode(e.target.value)}>
              <option value="">All codes</option>
              {codes.map((c) => (
                <option key={c.id} value={c.id}>
                  {'\u00a0\u00a0'.repeat(c.depth)}
                  {c.name}
                </option>
              ))}
            </select>
          </label>
          {code && (
            <label>
              <input type="checkbox" checked={subcodes} onChange={(e) => setSubcodes(e.target.checked)} /> Include its subcodes
            </label>
          )}
          <label className="exchange-row">
            Only documents where (one attribute=value per line)
            <textarea rows={2} value={where} placeholder="outlet=BBC" onChange={(e) => setWhere(e.target.value)} />
          </label>
          {sets.length > 0 && (
            <label className="exchange-row">
              Document set{' '}
              <select aria-label="Document set" value={documentSet} onChange={(e) => setDocumentSet(e.target.value)}>
                <option value="">All documents</option>
                {sets.map((s) => (
                  <option key={s.id} value={s.id}>
                    {s.name} ({s.document_count})
                  </option>
                ))}
              </select>
            </label>
          )}
        </fieldset>
      )}

      {(format === 'matrix' || format === 'bundle') && (
        <fieldset className="exchange-fieldset">
          <legend>Matrix</legend>
          <label className="exchange-row">
            Cell value
            <select value={measure} onChange={(e) => setMeasure(e.target.value as Measure)}>
              {MEASURES.map((m) => (
                <option key={m.value} value={m.value}>
                  {m.label}
                </option>
              ))}
            </select>
          </label>
          <label>
            <input type="checkbox" checked={rollup} onChange={(e) => setRollup(e.target.checked)} /> Roll subcodes up into their parents
          </label>
        </fieldset>
      )}

      {(isTable(format) || format === 'bundle') && (
        <fieldset className="exchange-fieldset">
          <legend>CSV</legend>
          <label className="exchange-row">
            Delimiter
            <select value={delimiter} onChange={(e) => setDelimiter(e.target.value as Delimiter)}>
              <option value="comma">Comma</option>
              <option value="semicolon">Semicolon</option>
              <option value="tab">Tab</option>
            </select>
          </label>
          {isTable(format) && (
            <label>
              <input type="checkbox" checked={excel} onChange={(e) => setExcel(e.target.checked)} /> For Excel (UTF-8 with a byte order mark)
            </label>
          )}
          <label>
            <input type="checkbox" checked={raw} onChange={(e) => setRaw(e.target.checked)} /> Raw values (do not neutralise cells that start with = + - @)
          </label>
        </fieldset>
      )}

      {preview && (
        <section aria-label="Preview" className="exchange-preview">
          <h4>
            Preview{format === 'bundle' ? ' of segments.csv' : ''}:{' '}
            {preview.rows.length < PREVIEW_ROWS ? `all ${preview.rows.length} ${preview.rows.length === 1 ? 'row' : 'rows'}` : `first ${preview.rows.length} rows`}
          </h4>
          <div className="exchange-preview-scroll" tabIndex={0} role="region" aria-label="Preview rows (scrolls)">
            <table>
              <thead>
                <tr>
                  {preview.columns.map((c) => (
                    <th key={c} scope="col" title={c} className={isIdColumn(c) ? 'exchange-id' : undefined}>
                      {c}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {preview.rows.map((r, i) => (
                  <tr key={i}>
                    {r.map((cell, j) => (
                      <td key={j} title={cell} className={isIdColumn(preview.columns[j] ?? '') ? 'exchange-id' : undefined}>
                        {cell}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {preview.rows.length === 0 && <p>No rows match these filters.</p>}
        </section>
      )}
      {format === 'qdpx' && (
        <label className="exchange-row">
          Program
          <select value={target} onChange={(e) => setTarget(e.target.value as Target)}>
            {TARGETS.map((t) => (
              <option key={t.value} value={t.value}>
                {t.label}
              </option>
            ))}
          </select>
        </label>
      )}
      {!filtered && <p>The whole project goes into the file; other programs read it through the REFI-QDA standard.</p>}

      {/* Progress, errors and the outcome sit beside the buttons, which stay in sight when the dialog scrolls. */}
      <div className="exchange-actions">
        {job ? (
          <div className="exchange-progress">
            <progress aria-label="Export progress" aria-valuetext={progressText(job)} />
            <span>{progressText(job)}</span>
          </div>
        ) : error ? (
          <p role="alert" className="exchange-error exchange-status">
            {error}
          </p>
        ) : (
          <p aria-live="polite" className="exchange-status">
            {status}
          </p>
        )}
        {job ? (
          <button type="button" onClick={cancel}>
            Cancel export
          </button>
        ) : (
          <button type="button" onClick={() => void save()}>
            Save export
          </button>
        )}
        <button type="button" onClick={props.onClose}>
          Close
        </button>
      </div>
    </div>
  );
}
