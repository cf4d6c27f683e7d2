import { useCallback, useEffect, useRef, useState } from 'react';
import type { SaveStateOut } from '../../../../main/api/contract/project';
import { ApiError, call } from '../../api/client';
import { useProjectVersion } from '../../app/use-api';

/** How often the save state is asked for: the app checkpoints within about 2 s of the last write. */
const POLL_MS = 3000;
const AFTER_CHANGE_MS = 500;

/**
 * Tells the researcher when the project file on disk does not hold their latest work (the
 * save into it failed, e.g. on a full disk), with the reason and a way to try again. Silent
 * while all is well: saving is automatic.
 */
export function SaveStatus() {
  const version = useProjectVersion();
  const [state, setState] = useState<SaveStateOut | null>(null);
  const [retrying, setRetrying] = useState(false);

  const refresh = useCallback(() => {
    call('project.saveState', {}).then(setState, () => undefined);
  }, []);

  useEffect(() => {
    refresh();
    const timer = setInterval(refresh, POLL_MS);
    return () => clearInterval(timer);
  }, [refresh]);
  // After a change, asked again once the burst of reloads it sets off is answered: a save can
  // only fail at the checkpoint, which comes later still, so nothing is learnt by asking at once.
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const timer = setTimeout(refresh, AFTER_CHANGE_MS);
    return () => clearTimeout(timer);
  }, [refresh, version]);

  const retry = () => {
    setRetrying(true);
    call('project.save', {})
      .then(setState, (e: unknown) => setState({ problem: e instanceof ApiError || e instanceof Error ? e.message : String(e), readOnly: false }))
      .finally(() => setRetrying(false));
  };

  if (state?.readOnly) {
    return (
      <span role="note" className="error">
        Open read-only: nothing can be changed
      </span>
    );
  }
  if (!state?.problem) return null;
  return (
    <div role="alert" className="save-problem">
      <strong>Not saved into the project file.</strong> {state.problem}{' '}
      <button type="button" onClick={retry} disabled={retrying}>
        {retrying ? 'Saving…' : 'Try saving again'}
      </button>
    </div>
  );
}
