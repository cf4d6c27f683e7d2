import { useEffect, useRef, useState } from 'react';
import type { Output } from '../../../../main/api/contract';
import { call, fileToBase64 } from '../../api/client';
import { plural } from '../../app/words';
import './team.css';

type Preview = Output<'team.mergePreview'>;
type Result = Output<'team.mergeApply'>;
type Item = Preview['add']['documents'][number];

const SHOWN = 100;

function ItemList(props: { title: string; items: Item[]; total: number }) {
  if (props.total === 0) return null;
  return (
    <details className="team-list">
      <summary>
        {props.title}: {props.total}
      </summary>
      <ul aria-label={props.title}>
        {props.items.slice(0, SHOWN).map((i) => (
          <li key={i.id}>
            {i.label}
            {i.note && <span className="muted"> — {i.note}</span>}
          </li>
        ))}
        {props.items.length > SHOWN && <li className="muted">… and {props.items.length - SHOWN} more</li>}
      </ul>
    </details>
  );
}

function Counts(props: { counts: Preview['add']['counts']; attributes?: boolean }) {
  const c = props.counts;
  return (
    <span>
      {plural(c.documents, 'document')}, {plural(c.codes, 'code')}, {plural(c.coders, 'coder')}, {plural(c.segments, 'segment')}, {plural(c.memos, 'memo')}
      {props.attributes ? `, ${c.attributes} attribute values` : ''}
      {c.sets || c.set_members ? `, ${plural(c.sets, 'document set')} (${plural(c.set_members, 'document')} into sets)` : ''}
    </span>
  );
}

/** The report of a merge, as a preview (before) or as what was done (after). */
function MergeReport(props: { report: Preview | Result; choices: Record<string, string>; onChoose?: (id: string, value: string) => void }) {
  const { report } = props;
  return (
    <div className="merge-report">
      <p>
        From <strong>{report.source.file}</strong> (project “{report.source.project_name}”)
      </p>
      <section aria-label="To add">
        <h4>{'backup' in report ? 'Added' : 'To add'}</h4>
        <p>
          <Counts counts={report.add.counts} attributes />
        </p>
        <ItemList title="Documents to add" items={report.add.documents} total={report.add.counts.documents} />
        <ItemList title="Codes to add" items={report.add.codes} total={report.add.counts.codes} />
        <ItemList title="Coders to add" items={report.add.coders} total={report.add.counts.coders} />
      </section>
      <section aria-label="Already here">
        <h4>Already here</h4>
        <p>
          <Counts counts={report.existing.counts} />
        </p>
        <ItemList title="Documents already here" items={report.existing.documents} total={report.existing.counts.documents} />
        <ItemList title="Codes already here" items={report.existing.codes} total={report.existing.counts.codes} />
      </section>
      {report.same_name_coders.length > 0 && (
        <p className="team-note" role="note">
          {report.same_name_coders.length === 1 ? 'One coder' : `${report.same_name_coders.length} coders`} in the other file{' '}
          {report.same_name_coders.length === 1 ? 'has' : 'have'} the same name as a different coder here ({report.same_name_coders.map((s) => `“${s.name}”`).join(', ')}). They stay
          separate coders; rename one to tell them apart.
        </p>
      )}
      <section aria-label="Conflicts">
        <h4>Conflicts: {report.conflicts.length}</h4>
        {report.conflicts.length === 0 && <p className="muted">None.</p>}
        {report.conflicts.map((c) => (
          <fieldset key={c.id} className="merge-conflict" disabled={!props.onChoose}>
            <legend>
              {c.kind === 'code' ? 'Code' : 'Document'} “{c.label}”
            </legend>
            <p className="muted">{c.detail}</p>
            {c.choices.map((choice) => (
              <label key={choice.value} className="team-radio">
                <input
                  type="radio"
                  name={c.id}
                  value={choice.value}
                  checked={(props.choices[c.id] ?? c.default) === choice.value}
                  onChange={() => props.onChoose?.(c.id, choice.value)}
                />
                {choice.label}
              </label>
            ))}
          </fieldset>
        ))}
      </section>
      {report.skipped.length > 0 && (
        <section aria-label="Left out">
          <h4>Left out</h4>
          <ul>
            {report.skipped.map((s) => (
              <li key={s}>{s}</li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}

/**
 * Merge a colleague's project: choose their file, read the preview, settle each conflict,
 * then merge. The project is backed up first and the merge is one step for Undo.
 */
export function MergeDialog(props: { onClose: () => void }) {
  const [preview, setPreview] = useState<Preview | null>(null);
  const [result, setResult] = useState<Result | null>(null);
  const [choices, setChoices] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const uploadRef = useRef<string | null>(null);

  // An upload left by closing the dialog is forgotten, not kept on disk.
  useEffect(
    () => () => {
      if (uploadRef.current) void call('team.mergeCancel', { uploadId: uploadRef.current }).catch(() => undefined);
    },
    [],
  );

  async function choose(file: File | undefined) {
    if (!file) return;
    setError(null);
    setResult(null);
    setPreview(null);
    setChoices({});
    if (uploadRef.current) void call('team.mergeCancel', { uploadId: uploadRef.current }).catch(() => undefined);
    uploadRef.current = null;
    setBusy(`Reading ${file.name}…`);
    try {
      const p = await call('team.mergePreview', { fileName: file.name, dataBase64: await fileToBase64(file) });
      uploadRef.current = p.uploadId;
      setPreview(p);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(null);
    }
  }

  async function apply() {
    if (!preview) return;
    setError(null);
    setBusy('Backing up and merging…');
    try {
      const r = await call('team.mergeApply', { uploadId: preview.uploadId, choices: choices as Record<string, 'keep-mine' | 'take-theirs' | 'add' | 'skip'> });
      uploadRef.current = null;
      setResult(r);
      setPreview(null);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(null);
    }
  }

  return (
    <div role="dialog" aria-modal="true" aria-label="Merge a colleague's project" className="dialog team-dialog">
      <h3>Merge a colleague’s project</h3>
      {!result && (
        <label className="field">
          Colleague’s project file (.marginalia)
          <input type="file" accept=".marginalia,.qdpx" aria-label="Colleague's project file" onChange={(e) => void choose(e.target.files?.[0])} disabled={!!busy} />
        </label>
      )}
      {busy && (
        <p role="status" className="muted">
          {busy}
        </p>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {preview && <MergeReport report={preview} choices={choices} onChoose={(id, v) => setChoices((c) => ({ ...c, [id]: v }))} />}
      {result && (
        <>
          <p role="status">
            Merged. A backup of the project as it was is beside it: <strong>{result.backup}</strong>. Edit → Undo reverts the whole merge.
          </p>
          <MergeReport report={result} choices={choices} />
        </>
      )}
      <div className="team-actions">
        {preview && (
          <button type="button" className="primary" onClick={() => void apply()} disabled={!!busy}>
            Merge
          </button>
        )}
        <button type="button" onClick={props.onClose}>
          {result ? 'Close' : 'Cancel'}
        </button>
      </div>
    </div>
  );
}
