import { randomUUID } from 'node:crypto';
import { MarginaliaError } from '../errors';
import type { AgreementReport } from './agreement';
import type { ChildRun } from './agreement-process';

/** What a job's computation is handed: where to report progress, the signal that stops it, and the tests' hold. */
export type AgreementJobProgress = Required<Pick<ChildRun, 'onProgress' | 'onWriting' | 'signal'>> & Pick<ChildRun, 'batchSize' | 'held'>;

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
  /** Set once it has finished (the on-screen computation). */
  report: AgreementReport | null;
  /** The figures are done and the CSV is being written (the CSV's computation). */
  writing: boolean;
  /** Set once it has finished (the CSV's computation): the file to download once from its address. */
  file: AgreementFile | null;
}

/** A finished agreement CSV, as the API hands a report's file (CsvFile in the contract). */
export interface AgreementFile {
  fileName: string;
  mime: string;
  bytes: number;
  download: string;
}

/** What a job computes: the report, or the CSV's file. */
export type AgreementJobResult = { report: AgreementReport } | { file: AgreementFile };

interface Job {
  id: string;
  done: number;
  total: number;
  cancelled: boolean;
  finished: boolean;
  error: AgreementJobState['error'];
  report: AgreementReport | null;
  writing: boolean;
  file: AgreementFile | null;
  finishedAt: number;
  /** Stops the computation's process at once. */
  stop: AbortController;
}

/** A finished job the UI never collected is forgotten after this long. */
const KEEP_FINISHED_MS = 10 * 60 * 1000;

/**
 * Agreement computations that run in the background while the UI polls their progress and
 * may cancel them. Each runs in a process of its own (agreement-process.ts), so its memory is
 * never the app's; the job keeps only where it stands. A computation only reads, so cancelling
 * leaves nothing to undo: its process is killed, and a CSV's temporary file removed.
 */
export class AgreementJobs {
  private readonly jobs = new Map<string, Job>();
  /**
   * For tests that need to see a computation mid-way: documents per batch, and a wait before
   * each batch after the first (the computation's process waits for it). Never set by the app,
   * nor from the API's input.
   */
  testHook: { batchSize: number; beforeBatch: () => Promise<void> } | null = null;

  /**
   * `discard` removes a CSV's file that will never be handed over (its job was cancelled after
   * the file was written), so that its download stops answering and the file is not left on disk.
   */
  constructor(private readonly discard: (file: AgreementFile) => void = () => undefined) {}

  start(compute: (progress: AgreementJobProgress) => Promise<AgreementJobResult>): AgreementJobState {
    this.prune();
    const job: Job = { id: randomUUID(), done: 0, total: 0, cancelled: false, finished: false, error: null, report: null, writing: false, file: null, finishedAt: 0, stop: new AbortController() };
    this.jobs.set(job.id, job);
    const hook = this.testHook;
    const progress: AgreementJobProgress = {
      onProgress: (done, total) => {
        job.done = done;
        job.total = total;
        if (hook && done > 0 && done < total) return hook.beforeBatch();
      },
      onWriting: () => void (job.writing = true),
      signal: job.stop.signal,
      ...(hook ? { batchSize: hook.batchSize, held: true } : {}),
    };
    const settle = () => {
      job.finished = true;
      job.writing = false;
      job.finishedAt = Date.now();
    };
    compute(progress).then(
      (result) => {
        // A cancel that came after the last batch still wins: the user asked for nothing.
        if (!job.cancelled) {
          if ('report' in result) job.report = result.report;
          else job.file = result.file;
        } else if ('file' in result) this.discard(result.file);
        settle();
      },
      (err: unknown) => {
        if (!job.cancelled) job.error = err instanceof MarginaliaError ? { code: err.code, message: err.message } : { code: 'internal', message: (err as Error).message };
        // Held by a test, a cancelled job (its process killed at once) ends only when let go, so
        // that the test sees it cancelling, as the user may for a moment.
        if (job.cancelled && hook) void hook.beforeBatch().then(settle);
        else settle();
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

  /** Stops a job: its process is killed now. */
  cancel(jobId: string): AgreementJobState {
    const job = this.jobs.get(jobId);
    if (!job) return { jobId, done: 0, total: 0, finished: true, cancelled: true, error: null, report: null, writing: false, file: null };
    if (!job.finished) {
      job.cancelled = true;
      job.stop.abort();
    }
    return this.state(job);
  }

  /**
   * Ends every job not yet collected as cancelled, when the project they read is closed (another
   * is opened): running ones have their process killed, and what finished ones made of the old
   * project (a report, a CSV and its download) is dropped rather than shown over the new one.
   */
  cancelAll(): void {
    for (const job of this.jobs.values()) {
      if (job.cancelled) continue;
      job.cancelled = true;
      if (!job.finished) {
        job.stop.abort();
        continue;
      }
      if (job.file) this.discard(job.file);
      job.report = null;
      job.file = null;
      job.error = null;
    }
  }

  /** Resolves with the final state: for tests and the command line. */
  async wait(jobId: string): Promise<AgreementJobState> {
    const job = this.get(jobId);
    while (!job.finished) await new Promise((r) => setTimeout(r, 5));
    return this.progress(jobId);
  }

  private state(job: Job): AgreementJobState {
    return {
      jobId: job.id,
      done: job.done,
      total: job.total,
      finished: job.finished,
      cancelled: job.cancelled,
      error: job.error,
      report: job.report,
      writing: job.writing,
      file: job.file,
    };
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
