import { randomUUID } from 'node:crypto';
import type { Project } from '../project/project';
import { MarginaliaError } from '../errors';
import type { ImportSource } from './extract';
import { importSources, type ImportOptions, type ImportReport } from './import-files';

/** Where an import job stands, as the UI polls it. */
export interface ImportProgress {
  jobId: string;
  /** Files read so far. */
  done: number;
  /** Files received so far (it grows while the UI is still uploading). */
  total: number;
  /** The file being read now, '' between files. */
  current: string;
  /** Rows of the spreadsheet being read now (0 for a file that is one document): a long spreadsheet shows it is moving. */
  rows: number;
  imported: number;
  finished: boolean;
  cancelled: boolean;
  /** Set once the job has finished. */
  report: ImportReport | null;
}

interface Job {
  id: string;
  project: Project;
  queue: ImportSource[];
  /** More files will be added (the UI uploads in parts). */
  open: boolean;
  wake: (() => void) | null;
  total: number;
  done: number;
  current: string;
  rows: number;
  cancelled: boolean;
  report: ImportReport | null;
  startedAt: number;
}

/** Finished jobs are kept this long for the UI to collect their report. */
const KEEP_FINISHED_MS = 10 * 60 * 1000;

/**
 * Imports that run in the background while the UI polls their progress. A job reads files
 * as they arrive, so the UI can upload a large selection in parts while the first files are
 * already being imported.
 */
export class ImportJobs {
  private readonly jobs = new Map<string, Job>();

  start(project: Project, files: ImportSource[], options: Omit<ImportOptions, 'onProgress' | 'isCancelled'> & { more?: boolean; isProjectOpen?: () => boolean }): ImportProgress {
    this.prune();
    const job: Job = { id: randomUUID(), project, queue: [...files], open: !!options.more, wake: null, total: files.length, done: 0, current: '', rows: 0, cancelled: false, report: null, startedAt: Date.now() };
    this.jobs.set(job.id, job);
    const sources = this.drain(job);
    void importSources(project, sources, () => job.total, {
      importedBy: options.importedBy,
      mapping: options.mapping,
      keepDuplicates: options.keepDuplicates,
      onProgress: (done, _total, current) => {
        // A new file starts its count again; the end of the import ('') keeps the last one.
        if (current && current !== job.current) job.rows = 0;
        job.done = done;
        job.current = current;
      },
      onRows: (rows) => {
        job.rows = rows;
      },
      isCancelled: () => job.cancelled || (options.isProjectOpen ? !options.isProjectOpen() : false),
    }).then(
      (report) => {
        // Cancelled while waiting for the UI's next part: every file received was read, but
        // the import still stopped short of what the user chose.
        job.report = job.cancelled && !report.cancelled ? { ...report, cancelled: true } : report;
      },
      (err: unknown) => {
        job.report = { outcomes: [{ file: job.current || '(import)', status: 'failed', reason: (err as Error).message }], unlisted: { imported: 0, duplicates: 0, failed: 0 }, imported: 0, duplicates: 0, failed: 1, cancelled: job.cancelled, notRead: job.total - job.done };
      },
    );
    return this.progress(job.id);
  }

  /** Adds files to a running job; `more: false` says they were the last. */
  add(jobId: string, files: ImportSource[], more: boolean): ImportProgress {
    const job = this.get(jobId);
    if (!job.open) throw new MarginaliaError('conflict', 'This import is not waiting for more files; start a new import.');
    job.queue.push(...files);
    job.total += files.length;
    job.open = more;
    job.wake?.();
    return this.progress(jobId);
  }

  cancel(jobId: string): ImportProgress {
    const job = this.get(jobId);
    job.cancelled = true;
    job.open = false;
    job.wake?.();
    return this.progress(jobId);
  }

  progress(jobId: string): ImportProgress {
    const job = this.get(jobId);
    return {
      jobId: job.id,
      done: job.done,
      total: job.total,
      current: job.current,
      rows: job.rows,
      imported: job.report?.imported ?? 0,
      finished: job.report !== null,
      cancelled: job.cancelled,
      report: job.report,
    };
  }

  /** The report of a finished job, which is then forgotten. */
  finish(jobId: string): ImportReport {
    const job = this.get(jobId);
    if (!job.report) throw new MarginaliaError('conflict', 'This import is still running; wait for it to finish or cancel it.');
    this.jobs.delete(jobId);
    return job.report;
  }

  /** Resolves when the job has finished: for the command line and tests. */
  async wait(jobId: string): Promise<ImportReport> {
    const job = this.get(jobId);
    while (!job.report) await new Promise((r) => setTimeout(r, 10));
    return job.report;
  }

  private get(jobId: string): Job {
    const job = this.jobs.get(jobId);
    if (!job) throw new MarginaliaError('not_found', `No import with id "${jobId}"; it finished more than ten minutes ago or was never started.`);
    return job;
  }

  private async *drain(job: Job): AsyncGenerator<ImportSource> {
    for (;;) {
      const next = job.queue.shift();
      if (next) {
        yield next;
        continue;
      }
      if (!job.open || job.cancelled) return;
      await new Promise<void>((resolve) => (job.wake = resolve));
      job.wake = null;
    }
  }

  private prune(): void {
    const now = Date.now();
    for (const [id, job] of this.jobs) if (job.report && now - job.startedAt > KEEP_FINISHED_MS) this.jobs.delete(id);
  }
}
