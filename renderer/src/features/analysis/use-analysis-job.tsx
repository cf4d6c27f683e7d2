import { useEffect, useRef, useState } from 'react';
import type { AnalysisJob } from '../../../../main/api/contract/analysis';

/** A background analysis as the API reports it (main/core/analysis/jobs.ts, through the contract). */
export type JobState<T> = AnalysisJob<T>;

/** How often a running analysis is asked where it stands. */
const POLL_MS = 250;

/**
 * Runs an analysis in the background whenever `key` changes: starts it, polls it, shows what
 * it has so far, and cancels a run nobody will see (the inputs changed, the view closed).
 * `value` is the answer, or while counting the answer so far; `cancel` stops the current run.
 */
export function useAnalysisJob<T>(
  key: string,
  start: () => Promise<JobState<T>>,
  poll: (jobId: string) => Promise<JobState<T>>,
  stop: (jobId: string) => Promise<unknown>,
  onError: (e: unknown) => void,
): { value: T | null; job: JobState<T> | null; running: boolean; cancelled: boolean; cancel: () => void } {
  const [job, setJob] = useState<JobState<T> | null>(null);
  const [value, setValue] = useState<T | null>(null);
  const [cancelled, setCancelled] = useState(false);
  const current = useRef<string | null>(null);
  const calls = useRef({ start, poll, stop });
  calls.current = { start, poll, stop };

  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    setValue(null);
    setJob(null);
    setCancelled(false);
    const follow = (jobId: string) => {
      timer = setTimeout(() => {
        calls.current.poll(jobId).then((j) => {
          if (!live) return;
          setJob(j);
          if (j.result) setValue(j.result);
          else if (j.partial) setValue(j.partial);
          if (j.error) onError(new Error(j.error.message));
          if (j.finished) current.current = null;
          else follow(jobId);
        }, onError);
      }, POLL_MS);
    };
    calls.current.start().then(
      (j) => {
        if (!live) {
          void calls.current.stop(j.jobId).catch(() => undefined);
          return;
        }
        current.current = j.jobId;
        setJob(j);
        follow(j.jobId);
      },
      (e) => live && onError(e),
    );
    return () => {
      live = false;
      if (timer) clearTimeout(timer);
      if (current.current) void calls.current.stop(current.current).catch(() => undefined);
      current.current = null;
    };
  }, [key, onError]);

  const cancel = () => {
    const id = current.current;
    if (!id) return;
    current.current = null;
    setCancelled(true);
    calls.current.stop(id).catch(onError);
  };
  return { value, job, running: !!job && !job.finished && !cancelled, cancelled, cancel };
}

const plural = (n: number, one: string) => `${n.toLocaleString()} ${one}${n === 1 ? '' : 's'}`;

/** A running analysis: a progress bar of documents gone through and a Cancel button. */
export function JobProgress(props: { job: JobState<unknown>; label: string; onCancel: () => void }) {
  const { job } = props;
  return (
    <div className="at-progress">
      <progress aria-label={props.label} max={Math.max(job.total, 1)} value={job.done} aria-valuetext={`${job.done.toLocaleString()} of ${job.total.toLocaleString()} documents`} />
      <span>{job.total ? `${job.done.toLocaleString()} of ${plural(job.total, 'document')}` : 'Starting…'}</span>
      <button type="button" onClick={props.onCancel}>
        Cancel
      </button>
    </div>
  );
}

/** What the status line says about a value that is partial, cancelled or being counted. */
export function partialNote(partial: { done: number; total: number } | undefined | null, running: boolean, cancelled: boolean): string {
  if (cancelled) return partial ? `Cancelled: the figures below are from the first ${partial.done.toLocaleString()} of ${plural(partial.total, 'document')} only.` : 'Cancelled.';
  if (running) return partial ? `Counting… the figures below are from the first ${partial.done.toLocaleString()} of ${plural(partial.total, 'document')} and will grow.` : 'Counting…';
  return '';
}
