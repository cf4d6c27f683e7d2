import { useState } from 'react';
import { ApiError, call, fileToBase64 } from '../../api/client';
import type { Output } from '../../../../main/api/contract';
import './exchange.css';

type Report = Output<'exchange.import'>;

/** "Imported 262 codes and 2 coders.": the counts that are not zero, in words; null when all are. */
function summary(lead: string, counts: Array<[number, string]>): string | null {
  const parts = counts.filter(([n]) => n > 0).map(([n, what]) => `${n.toLocaleString()} ${what}${n === 1 ? '' : 's'}`);
  if (parts.length === 0) return null;
  const list = parts.length === 1 ? parts[0] : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
  return `${lead}${list}.`;
}

const capitalised = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** Imports a REFI-QDA project (.qdpx) or codebook (.qdc) and shows what came in and what did not. */
export function ExchangeImportDialog(props: { onClose: () => void }) {
  const [file, setFile] = useState<File | null>(null);
  const [report, setReport] = useState<Report | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function start() {
    if (!file) return;
    setBusy(true);
    setError(null);
    setReport(null);
    try {
      setReport(await call('exchange.import', { name: file.name, dataBase64: await fileToBase64(file) }));
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  }

  const i = report?.imported;
  // Matches by name, path or text, or under another name, are worth a look; the same item by its id under its own name is only counted.
  const noteworthy = (report?.matches ?? []).filter((m) => m.by !== 'id' || m.file !== m.project);
  const reused =
    report &&
    summary('Already in the project, so matched rather than added: ', [
      [report.matched.documents, 'document'],
      [report.matched.codes, 'code'],
      [report.matched.coders, 'coder'],
    ]);
  return (
    <div role="dialog" aria-modal="true" aria-labelledby="refi-import-title" className="dialog exchange-dialog">
      <h3 id="refi-import-title">Import REFI-QDA project</h3>
      <p className="exchange-intro">A project (.qdpx) or codebook (.qdc) exported from ATLAS.ti, MAXQDA, NVivo, QualCoder or Marginalia. It is added to the open project; Undo takes it out again.</p>
      <label className="exchange-row">
        REFI-QDA file
        <input
          type="file"
          accept=".qdpx,.qdc,.qde"
          onChange={(e) => {
            setFile(e.target.files?.[0] ?? null);
            setReport(null);
            setError(null);
          }}
        />
      </label>
      {error && (
        <p role="alert" className="exchange-error">
          {error}
        </p>
      )}
      {busy && <p aria-live="polite">Importing {file?.name}…</p>}
      {report && i && (
        <section aria-label="Import report" className="exchange-report">
          <h4>
            {report.file}
            {report.origin ? `, written by ${report.origin}` : ''}
          </h4>
          <p>
            {summary('Imported ', [
              [i.documents, 'document'],
              [i.codes, 'code'],
              [i.segments, 'coded segment'],
              [i.coders, 'coder'],
              [i.memos, 'memo'],
              [i.attributeValues, 'attribute value'],
            ]) ?? 'Nothing new was imported.'}
          </p>
          {report.positions && <p>{capitalised(report.positions.reason)}.</p>}
          {reused && <p>{reused}</p>}
          {noteworthy.length > 0 && (
            <>
              <h5>Matched</h5>
              <ul aria-label="Matched">
                {noteworthy.map((m, i) => (
                  <li key={i}>
                    {m.kind} “{m.file}”{m.file === m.project ? '' : ` to “${m.project}”`} (by {m.by})
                  </li>
                ))}
              </ul>
            </>
          )}
          {report.converted.length > 0 && (
            <>
              <h5>Converted</h5>
              <ul aria-label="Converted">
                {report.converted.map((c) => (
                  <li key={c.what}>
                    {c.count} × {c.what}: {c.detail}
                  </li>
                ))}
              </ul>
            </>
          )}
          {report.dropped.length > 0 && (
            <>
              <h5>Not imported</h5>
              <ul aria-label="Not imported">
                {report.dropped.map((d) => (
                  <li key={d.what}>
                    {d.count} × {d.what}: {d.detail}
                  </li>
                ))}
              </ul>
            </>
          )}
        </section>
      )}
      <div className="exchange-actions">
        {!report && (
          <button type="button" onClick={() => void start()} disabled={!file || busy}>
            Import
          </button>
        )}
        <button type="button" onClick={props.onClose}>
          {report ? 'Done' : 'Cancel'}
        </button>
      </div>
    </div>
  );
}
