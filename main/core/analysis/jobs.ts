import { randomUUID } from 'node:crypto';
import { MarginaliaError } from '../errors';

/** Where a background analysis stands, as the UI polls it. */
export interface AnalysisJob<T> {
  jobId: string;
  /** Documents read so far, of `total`. */
  done: number;
  total: number;
  /** What is known so far (labelled as partial by the analysis itself), while it runs; null before the first. */
  partial: T | null;
  /** The answer, once finished. */
  result: T | null;
  finished: boolean;
  cancelled: boolean;
  /** Why it failed, when it did (a cancelled job has no error). */
  error: { code: string; message: string } | null;
}

/** What a running analysis is handed: where to report, and whether to stop. */
export interface JobControl<T> {
  progress(done: number, total: number): void;
  partial(value: T): void;
  isCancelled(): boolean;
}

interface Job<T> {
  state: AnalysisJob<T>;
  endedAt: number | null;
}

/** Finished jobs are kept this long for the UI to collect their answer. */
const KEEP_FINISHED_MS = 10 * 60 * 1000;

/**
 * Analyses that take seconds at 100,000 documents (word frequencies) run in the background
 * while the UI polls their progress and the list so far, and can be cancelled. The work itself
 * reads on the long-read connection a round at a time, so coding never waits behind it.
 */
export class AnalysisJobs<T> {
  private readonly jobs = new Map<string, Job<T>>();

  constructor(private readonly what: string) {}

  start(run: (control: JobControl<T>) => Promise<T>): AnalysisJob<T> {
    this.prune();
    const state: AnalysisJob<T> = { jobId: randomUUID(), done: 0, total: 0, partial: null, result: null, finished: false, cancelled: false, error: null };
    const job: Job<T> = { state, endedAt: null };
    this.jobs.set(state.jobId, job);
    const control: JobControl<T> = {
      progress: (done, total) => {
        state.done = done;
        state.total = total;
      },
      partial: (value) => {
        state.partial = value;
      },
      isCancelled: () => state.cancelled,
    };
    // Started on the next turn, so that the caller has the job's id before any work is done.
    void new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => run(control))
      .then(
        (result) => {
          if (!state.cancelled) state.result = result;
        },
        (err: unknown) => {
          if (state.cancelled) return;
          const e = err instanceof MarginaliaError ? err : null;
          state.error = { code: e?.code ?? 'internal', message: (err as Error)?.message ?? String(err) };
        },
      )
      .finally(() => {
        state.finished = true;
        state.partial = state.result ? null : state.partial;
        job.endedAt = Date.now();
      });
    return { ...state };
  }

  has(jobId: string): boolean {
    return this.jobs.has(jobId);
  }

  progress(jobId: string): AnalysisJob<T> {
    return { ...this.get(jobId).state };
  }

  /** Stops a job at its next round; what it had counted is dropped. */
  cancel(jobId: string): AnalysisJob<T> {
    const job = this.get(jobId);
    if (!job.state.finished) job.state.cancelled = true;
    return { ...job.state };
  }

  /** Resolves with the job's state once it has finished: for the command line and tests. */
  async wait(jobId: string): Promise<AnalysisJob<T>> {
    const job = this.get(jobId);
    while (!job.state.finished) await new Promise((r) => setTimeout(r, 10));
    return { ...job.state };
  }

  private get(jobId: string): Job<T> {
    const job = this.jobs.get(jobId);
    if (!job) throw new MarginaliaError('not_found', `No ${this.what} with id "${jobId}"; it finished more than ten minutes ago or was never started. Start it again.`);
    return job;
  }

  private prune(): void {
    const now = Date.now();
    for (const [id, job] of this.jobs) if (job.endedAt !== null && now - job.endedAt > KEEP_FINISHED_MS) this.jobs.delete(id);
  }
}
