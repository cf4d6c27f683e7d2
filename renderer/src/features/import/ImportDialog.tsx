import { useEffect, useRef, useState } from 'react';
import { ApiError, call, fileToBase64 } from '../../api/client';
import { SafeText } from '../../app/SafeText';
import { markedName } from '../../../../main/api/contract/safe-text';
import type { Output } from '../../../../main/api/contract';
import './import.css';

type Preview = Output<'import.preview'>;
type Report = Output<'import.finish'>;
type Progress = Output<'import.progress'>;
type VariableType = 'text' | 'number' | 'date' | 'boolean';
interface Mapping {
  textColumn: string;
  nameColumn: string;
  attributes: { column: string; type: VariableType }[];
}

const SPREADSHEET = /\.(csv|tsv|tab|xlsx|jsonl|ndjson)$/i;
/** Files are uploaded in parts of about this size, so a large folder starts importing at once. */
const PART_BYTES = 16 * 1024 * 1024;
const TYPES: VariableType[] = ['text', 'number', 'date', 'boolean'];

/** The name a file is reported under: its path inside a chosen folder, else its name. */
const nameOf = (f: File) => (f as File & { webkitRelativePath?: string }).webkitRelativePath || f.name;

/** The import dialog: choose or drop files and folders, map spreadsheet columns, watch progress, read the outcome of every file. */
export function ImportDialog(props: { onClose: () => void }) {
  const [files, setFiles] = useState<File[]>([]);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [mapping, setMapping] = useState<Mapping | null>(null);
  const [progress, setProgress] = useState<Progress | null>(null);
  const [report, setReport] = useState<Report | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [over, setOver] = useState(false);
  /** Import a text already in the project again, as its own document (the same wire story from another source). */
  const [keepDuplicates, setKeepDuplicates] = useState(false);
  const [attrMessage, setAttrMessage] = useState<string | null>(null);
  const jobRef = useRef<string | null>(null);
  /** Set when the user cancels: no further parts are uploaded. */
  const cancelledRef = useRef(false);
  /** Files chosen for the running import, to report those never uploaded after a cancel. */
  const [chosen, setChosen] = useState(0);
  const [preparing, setPreparing] = useState(false);
  /** Files never uploaded because the import was cancelled first. */
  const [notSent, setNotSent] = useState(0);
  const running = preparing || (progress !== null && !progress.finished);

  const sheet = files.find((f) => SPREADSHEET.test(f.name));
  useEffect(() => {
    setPreview(null);
    setMapping(null);
    if (!sheet) return;
    let live = true;
    void (async () => {
      try {
        const p = await call('import.preview', { file: { name: sheet.name, dataBase64: await fileToBase64(sheet) } });
        if (!live) return;
        setPreview(p);
        setMapping({ textColumn: p.suggested.textColumn, nameColumn: p.suggested.nameColumn, attributes: p.suggested.attributes });
      } catch (err) {
        if (live) setError(err instanceof ApiError ? err.message : String(err));
      }
    })();
    return () => {
      live = false;
    };
  }, [sheet]);

  const choose = (list: FileList | null) => {
    if (!list) return;
    setReport(null);
    setError(null);
    setFiles((prev) => [...prev, ...Array.from(list)]);
  };

  async function start() {
    setError(null);
    setReport(null);
    setProgress(null);
    setPreparing(true);
    setChosen(files.length);
    cancelledRef.current = false;
    jobRef.current = null;
    const m = mapping ? { textColumn: mapping.textColumn, ...(mapping.nameColumn ? { nameColumn: mapping.nameColumn } : {}), attributes: mapping.attributes.filter((x) => x.column !== mapping.textColumn && x.column !== mapping.nameColumn) } : undefined;
    try {
      let jobId: string | null = null;
      let part: { name: string; dataBase64: string }[] = [];
      let size = 0;
      const send = async (last: boolean) => {
        if (cancelledRef.current) return;
        let p: Progress;
        try {
          p = jobId
          ? await call('import.add', { jobId, files: part, more: !last })
          : await call('import.start', { files: part, more: !last, ...(m ? { mapping: m } : {}), ...(keepDuplicates ? { keepDuplicates: true } : {}) });
        } catch (err) {
          // Cancelled while this part was on its way: the job no longer takes files.
          if (cancelledRef.current) return;
          throw err;
        }
        jobId = p.jobId;
        jobRef.current = p.jobId;
        setProgress(p);
        part = [];
        size = 0;
      };
      for (const f of files) {
        if (cancelledRef.current) break;
        part.push({ name: nameOf(f), dataBase64: await fileToBase64(f) });
        size += f.size;
        if (size >= PART_BYTES) await send(false);
      }
      await send(true);
      if (jobId) await poll(jobId);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
      // A failed upload leaves the job waiting for parts that will not come: stop it, keep what it imported.
      const jobId = jobRef.current;
      if (jobId) {
        await call('import.cancel', { jobId }).catch(() => undefined);
        await poll(jobId).catch(() => undefined);
      }
    } finally {
      setPreparing(false);
    }
  }

  async function poll(jobId: string) {
    let received = 0;
    for (;;) {
      const p = await call('import.progress', { jobId });
      setProgress(p);
      received = p.total;
      if (p.finished) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    setNotSent(Math.max(0, files.length - received));
    setReport(await call('import.finish', { jobId }));
    setProgress(null);
    jobRef.current = null;
    setFiles([]);
  }

  async function cancel() {
    cancelledRef.current = true;
    setProgress((p) => p && { ...p, cancelled: true });
    if (jobRef.current) await call('import.cancel', { jobId: jobRef.current }).catch(() => undefined);
  }

  async function importAttributes(list: FileList | null) {
    const f = list?.[0];
    if (!f) return;
    setAttrMessage(null);
    try {
      const r = await call('attributes.import', { file: { name: f.name, dataBase64: await fileToBase64(f) } });
      setAttrMessage(`${r.updated} documents updated from ${f.name}.${r.failed.length ? ` ${r.failed.length} rows failed: ${r.failed.map((x) => x.reason).join(' ')}` : ''}`);
    } catch (err) {
      setAttrMessage(err instanceof ApiError ? err.message : String(err));
    }
  }

  const setAttr = (column: string, type: VariableType | null) =>
    setMapping((m) => m && { ...m, attributes: type === null ? m.attributes.filter((a) => a.column !== column) : [...m.attributes.filter((a) => a.column !== column), { column, type }] });

  return (
    <div role="dialog" aria-modal="true" aria-label="Import documents" className="dialog import-dialog">
      <h2>Import documents</h2>
      <div
        className="import-drop"
        data-over={over}
        role="group"
        aria-label="Drop files here"
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => {
          e.preventDefault();
          setOver(false);
          choose(e.dataTransfer.files);
        }}
      >
        <p>Drop files here, or choose them: .txt .md .html .docx .odt .rtf .pdf, or a .csv .tsv .xlsx .jsonl with one article per row.</p>
        <label>
          Choose files <input type="file" multiple disabled={running} aria-label="Choose files" onChange={(e) => choose(e.target.files)} />
        </label>{' '}
        <label>
          Choose a folder{' '}
          <input
            type="file"
            multiple
            disabled={running}
            aria-label="Choose a folder"
            ref={(el) => {
              el?.setAttribute('webkitdirectory', '');
            }}
            onChange={(e) => choose(e.target.files)}
          />
        </label>
      </div>

      {files.length > 0 && !running && (
        <p aria-live="polite">
          {files.length} file{files.length === 1 ? '' : 's'} chosen.{' '}
          <button type="button" onClick={() => setFiles([])}>
            Clear
          </button>
        </p>
      )}

      <label className="import-keep">
        <input type="checkbox" checked={keepDuplicates} disabled={running} onChange={(e) => setKeepDuplicates(e.target.checked)} /> Keep duplicates: import a text already in the project again as a document of its own (the same story from another source)
      </label>

      {preview && mapping && !running && (
        <section className="import-mapping" aria-label="Spreadsheet columns">
          <h3>
            Columns of {preview.file} ({preview.rowCount} row{preview.rowCount === 1 ? '' : 's'})
          </h3>
          <div className="import-mapping-roles">
          <label>
            Text column{' '}
            <select value={mapping.textColumn} onChange={(e) => setMapping({ ...mapping, textColumn: e.target.value })}>
              {preview.columns.map((c) => (
                <option key={c.name}>{c.name}</option>
              ))}
            </select>
          </label>
          <label>
            Name column{' '}
            <select value={mapping.nameColumn} onChange={(e) => setMapping({ ...mapping, nameColumn: e.target.value })}>
              <option value="">(file name and row)</option>
              {preview.columns.map((c) => (
                <option key={c.name}>{c.name}</option>
              ))}
            </select>
          </label>
          </div>
          <div className="import-table-scroll" tabIndex={0} role="region" aria-label="First rows of the spreadsheet (scrolls)">
          <table>
            <caption>
              First {preview.rows.length} of {preview.rowCount} rows. Choose which other columns become attributes, and their type.
            </caption>
            <thead>
              <tr>
                {preview.columns.map((c) => {
                  const attr = mapping.attributes.find((a) => a.column === c.name);
                  const isRole = c.name === mapping.textColumn || c.name === mapping.nameColumn;
                  return (
                    <th key={c.name} scope="col" className={isRole ? 'import-role' : undefined}>
                      {c.name}
                      {isRole && <span className="import-role-tag">{c.name === mapping.textColumn ? 'text' : 'name'}</span>}
                      {!isRole && (
                        <select
                          aria-label={`Attribute type of column ${c.name}`}
                          value={attr?.type ?? ''}
                          onChange={(e) => setAttr(c.name, e.target.value ? (e.target.value as VariableType) : null)}
                        >
                          <option value="">not imported</option>
                          {TYPES.map((t) => (
                            <option key={t} value={t}>
                              {t}
                            </option>
                          ))}
                        </select>
                      )}
                    </th>
                  );
                })}
              </tr>
            </thead>
            <tbody>
              {preview.rows.map((r, i) => (
                <tr key={i}>
                  {r.map((v, j) => (
                    <td key={j} title={v}>
                      {v}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
          </div>
        </section>
      )}

      {running && (
        <div className="import-progress" aria-live="polite">
          {/* One spreadsheet of articles: its rows are counted, as their total is not known until the end. */}
          {progress && progress.rows > 0 && Math.max(chosen, progress.total) === 1 ? (
            <progress aria-label="Import progress" />
          ) : (
            <progress aria-label="Import progress" max={Math.max(1, chosen, progress?.total ?? 0)} value={progress?.done ?? 0} />
          )}
          <p>
            {progress && progress.rows > 0 ? (
              <>
                Read {progress.rows.toLocaleString()} row{progress.rows === 1 ? '' : 's'}
                {progress.current ? <span className="import-current"> of {progress.current}</span> : ''}
                {Math.max(chosen, progress.total) > 1 ? ` (file ${progress.done + 1} of ${Math.max(chosen, progress.total)})` : ''}
                {progress.cancelled ? ' (stopping after this file…)' : ''}
              </>
            ) : progress ? (
              <>
                Read {progress.done} of {Math.max(chosen, progress.total)} files
                {progress.current ? <span className="import-current">: {progress.current}</span> : ''}
                {progress.cancelled ? ' (stopping after this file…)' : ''}
              </>
            ) : (
              `Preparing ${chosen} file${chosen === 1 ? '' : 's'}…`
            )}
          </p>
          <button type="button" onClick={() => void cancel()} disabled={!progress || progress.cancelled}>
            Cancel import
          </button>
        </div>
      )}

      {error && (
        <p role="alert" className="import-failed">
          {error}
        </p>
      )}

      {report && (
        <section className="import-results" aria-label="Import results">
          <p role="status">
            {report.imported} imported, {report.duplicates} duplicate{report.duplicates === 1 ? '' : 's'}, {report.failed} failed
            {report.cancelled ? `; cancelled, ${report.notRead + notSent} file${report.notRead + notSent === 1 ? '' : 's'} not imported` : ''}.
          </p>
          {report.outcomes.length > 0 && (
            <div className="import-results-scroll" tabIndex={0} role="region" aria-label="What became of each file (scrolls)">
              <table>
                <thead>
                  <tr>
                    <th scope="col">File</th>
                    <th scope="col">Outcome</th>
                    <th scope="col">Document or reason</th>
                  </tr>
                </thead>
                <tbody>
                  {report.outcomes.map((o, i) => (
                    <tr key={i} className={`import-${o.status}`}>
                      <td title={markedName(o.file)}>
                        <SafeText text={o.file} />
                        {o.row ? ` row ${o.row}` : ''}
                      </td>
                      <td>{o.status}</td>
                      <td className="import-detail">
                        {o.status === 'imported' ? (
                          <>
                            <SafeText text={o.name} />
                            {o.note ? `: ${o.note}` : ''}
                          </>
                        ) : o.status === 'duplicate' ? (
                          <>
                            same text as “<SafeText text={o.duplicateOf.name} />”
                          </>
                        ) : (
                          <SafeText text={o.reason} />
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {report.unlisted.imported + report.unlisted.duplicates + report.unlisted.failed > 0 && (
            <p className="import-unlisted">
              Not listed above:{' '}
              {(
                [
                  { n: report.unlisted.imported, what: 'imported' },
                  { n: report.unlisted.duplicates, what: report.unlisted.duplicates === 1 ? 'duplicate' : 'duplicates' },
                  { n: report.unlisted.failed, what: 'failed' },
                ] as const
              )
                .filter((u) => u.n > 0)
                .map((u) => `${u.n.toLocaleString()} more ${u.what}`)
                .join(', ')}
              {report.unlisted.failed > 0 ? '. The table shows the first failures; fix those rows and import the file again (rows already in are skipped as duplicates) to see the rest.' : '.'}
            </p>
          )}
        </section>
      )}

      <section className="import-attributes" aria-label="Attributes from a spreadsheet">
        <label>
          Import attributes from CSV (a “document” column with names, one column per attribute){' '}
          <input type="file" accept=".csv,.tsv,.xlsx" aria-label="Import attributes from CSV" onChange={(e) => void importAttributes(e.target.files)} />
        </label>
        {attrMessage && <p role="status">{attrMessage}</p>}
      </section>

      <div className="import-actions">
        <button type="button" onClick={() => void start()} disabled={running || files.length === 0}>
          Import {files.length || ''} file{files.length === 1 ? '' : 's'}
        </button>
        <button type="button" onClick={props.onClose} disabled={running}>
          Close
        </button>
      </div>
    </div>
  );
}
