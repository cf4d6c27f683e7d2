import { useEffect, useState } from 'react';
import type { Output } from '../../../../main/api/contract';
import { ApiError, call } from '../../api/client';
import { OpeningDetails, useOpeningProgress } from '../../app/OpeningScreen';

type ProjectFile = Output<'project.files'>[number];

/**
 * File ▸ New project… and Open project… where no desktop menu offers them (the browser): a
 * new project file, or another one, in the folder of the open project. The page then reloads
 * on the project it switched to.
 */
export function ProjectDialog({ mode, onClose }: { mode: 'new' | 'open'; onClose: () => void }) {
  const [name, setName] = useState('');
  const [files, setFiles] = useState<ProjectFile[] | null>(null);
  const [chosen, setChosen] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  // A project saved by an older Marginalia is upgraded as it opens, minutes on a large one: shown as it goes.
  const opening = useOpeningProgress(busy && mode === 'open');

  useEffect(() => {
    if (mode === 'open') call('project.files', {}).then(setFiles, (e: Error) => setError(e.message));
  }, [mode]);

  const run = async (p: Promise<unknown>) => {
    setBusy(true);
    setError('');
    try {
      await p;
      // Everything on screen belonged to the project that was open: start afresh on the new one.
      window.location.reload();
    } catch (e) {
      setError(e instanceof ApiError || e instanceof Error ? e.message : String(e));
      setBusy(false);
    }
  };
  const others = (files ?? []).filter((f) => !f.current);

  return (
    <div role="dialog" aria-modal="true" aria-labelledby="project-dialog-title" className="dialog project-dialog">
      <h3 id="project-dialog-title">{mode === 'new' ? 'New project' : 'Open project'}</h3>
      {mode === 'new' ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (name.trim()) void run(call('project.create', { name: name.trim() }));
          }}
        >
          <label className="field">
            Name of the new project (a file of that name is made beside the open one)
            <input value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. Kostiantynivka coverage" />
          </label>
          <div className="import-actions">
            <button type="submit" disabled={!name.trim() || busy}>
              Create project
            </button>
            <button type="button" onClick={onClose} disabled={busy}>
              Cancel
            </button>
          </div>
        </form>
      ) : (
        <>
          <p className="muted">Project files in the folder of the open one:</p>
          {files && others.length === 0 && <p>There is no other project file in this folder. Make one with File ▸ New project….</p>}
          {others.length > 0 && (
            <fieldset className="project-files">
              <legend className="muted">Project file</legend>
              {others.map((f) => (
                <label key={f.file} className="team-radio">
                  <input type="radio" name="project-file" value={f.file} checked={chosen === f.file} onChange={() => setChosen(f.file)} />
                  {f.file}
                </label>
              ))}
            </fieldset>
          )}
          {opening && <OpeningDetails opening={opening} />}
          <div className="import-actions">
            <button type="button" disabled={!chosen || busy} onClick={() => void run(call('project.open', { file: chosen }))}>
              Open project
            </button>
            <button type="button" onClick={onClose} disabled={busy}>
              Cancel
            </button>
          </div>
        </>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </div>
  );
}
