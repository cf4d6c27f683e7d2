import { useEffect, useRef, useState } from 'react';
import { ApiError, call, fileToBase64 } from '../../api/client';
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
  const [attrMessage, setAttrMessage] = useState<string | null>(null);
  const jobRef = useRef<string | null>(null);
  const running = progress !== null && !progress.finished;

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
    const m = mapping ? { textColumn: mapping.textColumn, ...(mapping.nameColumn ? { nameColumn: mapping.nameColumn } : {}), attributes: mapping.attributes } : undefined;
    try {
      let jobId: string | null = null;
      let part: { name: string; dataBase64: string }[] = [];
      let size = 0;
      const send = async (last: boolean) => {
        const p: Progress = jobId
          ? await call('import.add', { jobId, files: part, more: !last })
          : await call('import.start', { files: part, more: !last, ...(m ? { mapping: m } : {}) });
        jobId = p.jobId;
        jobRef.current = p.jobId;
        setProgress(p);
        part = [];
        size = 0;
      };
      for (const f of files) {
        part.push({ name: nameOf(f), dataBase64: await fileToBase64(f) });
        size += f.size;
        if (size >= PART_BYTES) await send(false);
      }
      await send(true);
      await poll(jobId!);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    }
  }

  async function poll(jobId: string) {
    for (;;) {
      const p = await call('import.progress', { jobId });
      setProgress(p);
      if (p.finished) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    setReport(await call('import.finish', { jobId }));
    jobRef.current = null;
    setFiles([]);
  }

  async function cancel() {
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

      {preview && mapping && !running && (
        <section className="import-mapping" aria-label="Spreadsheet columns">
          <h3>Columns of {preview.file} ({preview.rowCount} rows)</h3>
          <label>
            Text column{' '}
            <select value={mapping.textColumn} onChange={(e) => setMapping({ ...mapping, textColumn: e.target.value })}>
              {preview.columns.map((c) => (
                <option key={c.name}>{c.name}</option>
              ))}
            </select>
          </label>{' '}
          <label>
            Name column{' '}
            <select value={mapping.nameColumn} onChange={(e) => setMapping({ ...mapping, nameColumn: e.target.value })}>
              <option value="">(file name and row)</option>
              {preview.columns.map((c) => (
                <option key={c.name}>{c.name}</option>
              ))}
            </select>
          </label>
          <table>
            <caption>First rows; choose which other columns become attributes, and their type</caption>
            <thead>
              <tr>
                {preview.columns.map((c) => {
                  const attr = mapping.attributes.find((a) => a.column === c.name);
                  const isRole = c.name === mapping.textColumn || c.name === mapping.nameColumn;
                  return (
                    <th key={c.name} scope="col">
                      {c.name}
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
        </section>
      )}

      {progress && running && (
        <div className="import-progress" aria-live="polite">
          <progress aria-label="Import progress" max={Math.max(1, progress.total)} value={progress.done} />
          <p>
            {progress.done} of {progress.total} files{progress.current ? `: ${progress.current}` : ''}
            {progress.cancelled ? ' (stopping…)' : ''}
          </p>
          <button type="button" onClick={() => void cancel()} disabled={progress.cancelled}>
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
            {report.imported} imported, {report.duplicates} duplicates, {report.failed} failed
            {report.cancelled ? `; cancelled, ${report.notRead} files not read` : ''}.
          </p>
          <table>
            <tbody>
              {report.outcomes.map((o, i) => (
                <tr key={i} className={o.status === 'failed' ? 'import-failed' : undefined}>
                  <td>{o.row ? `${o.file} row ${o.row}` : o.file}</td>
                  <td>{o.status}</td>
                  <td>{o.status === 'imported' ? o.name : o.status === 'duplicate' ? `same text as “${o.duplicateOf.name}”` : o.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}

      <section aria-label="Attributes from a spreadsheet">
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
