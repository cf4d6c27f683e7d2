import { randomUUID } from 'node:crypto';
import { MarginaliaError } from '../errors';
import type { AgreementProgress, AgreementReport } from './agreement';

/** Where an agreement computation stands, as the UI polls it. */
export interface AgreementJobState {
  jobId: string;
  /** Documents done so far, of `total`. */
  done: number;
  total: number;
  finished: boolean;
  /** Stopped at the user's request: nothing was kept. */
  cancelled: boolean;
  /** Why it failed (finished, not cancelled, no report). */
  error: { code: string; message: string } | null;
  /** Set once it has finished. */
  report: AgreementReport | null;
}

interface Job {
  id: string;
  done: number;
  total: number;
  cancelled: boolean;
  finished: boolean;
  error: AgreementJobState['error'];
  report: AgreementReport | null;
  finishedAt: number;
}

/** A finished job the UI never collected is forgotten after this long. */
const KEEP_FINISHED_MS = 10 * 60 * 1000;

/**
 * Agreement computations that run in the background while the UI polls their progress and
 * may cancel them. A computation only reads, so cancelling leaves nothing to undo: it stops
 * at the next batch of documents and its partial sums are dropped.
 */
export class AgreementJobs {
  private readonly jobs = new Map<string, Job>();
  /**
   * For tests that need to see a computation mid-way: documents per batch, and a wait before
   * each batch after the first. Never set by the app.
   */
  testHook: { batchSize: number; beforeBatch: () => Promise<void> } | null = null;

  start(compute: (progress: AgreementProgress) => Promise<AgreementReport>): AgreementJobState {
    this.prune();
    const job: Job = { id: randomUUID(), done: 0, total: 0, cancelled: false, finished: false, error: null, report: null, finishedAt: 0 };
    this.jobs.set(job.id, job);
    const hook = this.testHook;
    const progress: AgreementProgress = {
      onProgress: (done, total) => {
        job.done = done;
        job.total = total;
        if (hook && done > 0 && done < total) return hook.beforeBatch();
      },
      isCancelled: () => job.cancelled,
      batchSize: hook?.batchSize,
    };
    const settle = () => {
      job.finished = true;
      job.finishedAt = Date.now();
    };
    compute(progress).then(
      (report) => {
        // A cancel that came after the last batch still wins: the user asked for nothing.
        if (!job.cancelled) job.report = report;
        settle();
      },
      (err: unknown) => {
        if (!job.cancelled) job.error = err instanceof MarginaliaError ? { code: err.code, message: err.message } : { code: 'internal', message: (err as Error).message };
        settle();
      },
    );
    return this.state(job);
  }

  /** How far a job has got. A finished job's state is handed out once, then the job is forgotten. */
  progress(jobId: string): AgreementJobState {
    const job = this.get(jobId);
    if (job.finished) this.jobs.delete(jobId);
    return this.state(job);
  }

  /** Asks a job to stop; it stops before its next batch of documents. */
  cancel(jobId: string): AgreementJobState {
    const job = this.jobs.get(jobId);
    if (!job) return { jobId, done: 0, total: 0, finished: true, cancelled: true, error: null, report: null };
    if (!job.finished) job.cancelled = true;
    return this.state(job);
  }

  /** Resolves with the final state: for tests and the command line. */
  async wait(jobId: string): Promise<AgreementJobState> {
    const job = this.get(jobId);
    while (!job.finished) await new Promise((r) => setTimeout(r, 5));
    return this.progress(jobId);
  }

  private state(job: Job): AgreementJobState {
    return { jobId: job.id, done: job.done, total: job.total, finished: job.finished, cancelled: job.cancelled, error: job.error, report: job.report };
  }

  private get(jobId: string): Job {
    const job = this.jobs.get(jobId);
    if (!job) throw new MarginaliaError('not_found', `No agreement computation with id "${jobId}"; it finished and was collected, or was never started. Compute the agreement again.`);
    return job;
  }

  private prune(): void {
    const now = Date.now();
    for (const [id, job] of this.jobs) if (job.finished && now - job.finishedAt > KEEP_FINISHED_MS) this.jobs.delete(id);
  }
}
