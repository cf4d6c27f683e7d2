import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { closeSync, mkdirSync, openSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { tempFolder } from '../files/temp-files';
import { MarginaliaError } from '../errors';
import { FileSink, type ExportSink } from './export';

/** Where an export being written for a download stands, as the Export dialog polls it. */
export interface ExportJobState {
  jobId: string;
  /** The name the download suggests: "<project>-segments.csv". */
  fileName: string;
  mime: string;
  /** Data rows written so far (tables and the bundle's tables; 0 for the REFI-QDA files). */
  rows: number;
  /** Bytes written to the temporary file so far. */
  bytes: number;
  finished: boolean;
  cancelled: boolean;
  /** Why it failed, when it did (a cancelled export has no error). */
  error: { code: string; message: string } | null;
  /**
   * Once finished: the address (on the page's own origin) the file downloads from, once. The
   * token in it is the only key to the file; a second GET, or one after Cancel, is refused.
   */
  download: string | null;
  /** For tables and the bundle: whose segments the export covers, in words. */
  scope?: string;
}

/** The path the bridge and the app:// protocol serve downloads under: `/download/<token>`. */
export const DOWNLOAD_PATH = '/download/';

/** A finished export handed to the one request that presented its token. */
export interface TakenDownload {
  path: string;
  fileName: string;
  mime: string;
  bytes: number;
  /** Removes the file: call once the response has ended, whether it was read whole or not. */
  release(): void;
}

interface Job {
  state: ExportJobState;
  path: string;
  /** SHA-256 of the download token; the token itself is only ever in the reply that finished the job. */
  tokenHash: string | null;
  endedAt: number | null;
  /** Whether a response is reading the file now (it is removed when that response ends). */
  streaming: boolean;
}

/** Finished exports are kept this long for a download; then their file is removed. */
const KEEP_FINISHED_MS = 10 * 60 * 1000;

let folder: string | null = null;

/** One private folder for the process's exports, made when the first is started (tests look at what is left in it). */
export function exportFolder(): string {
  if (!folder) {
    const made = (folder = tempFolder('export'));
    // A quit with an export not downloaded leaves nothing behind; a killed run's folder is removed by the next run.
    process.once('exit', () => rmSync(made, { recursive: true, force: true }));
  }
  return folder;
}

const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');

/** A download token as minted here: 32 random bytes, base64url. Anything else is refused unread. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/**
 * The file an export job writes (a FileSink: a megabyte at a time, so a 490 MB segments table
 * is never held whole), counting rows and bytes for the dialog; every write first checks for Cancel.
 */
class JobFile extends FileSink {
  private rowsOf: { readonly rows: number } | null = null;

  constructor(
    fd: number,
    private readonly state: ExportJobState,
  ) {
    super(fd);
  }

  watch(writer: { readonly rows: number }): void {
    this.rowsOf = writer;
  }

  override flush(): void {
    super.flush();
    if (this.rowsOf) this.state.rows = this.rowsOf.rows;
  }

  protected override beforeWrite(): void {
    if (this.state.cancelled) throw new MarginaliaError('cancelled', `The export of ${this.state.fileName} was cancelled.`);
  }

  protected override put(buf: Uint8Array): void {
    super.put(buf);
    this.state.bytes += buf.length;
  }
}

/**
 * Exports written in the background into a private temporary folder for the app to download:
 * the Export dialog polls their progress and can cancel, and the finished file is handed to
 * one download request by an unguessable one-time token, then removed. Nothing of the file
 * passes through the API's JSON replies, so its size is bounded by the disk, not by memory.
 */
export class ExportJobs {
  private readonly jobs = new Map<string, Job>();
  private readonly byToken = new Map<string, string>();

  /**
   * Starts writing one export; answers at once with the job. `fill` writes the file through
   * the sink it is handed (and stops with an error when the sink says the job was cancelled).
   */
  start(file: { fileName: string; mime: string; scope?: string }, fill: (sink: ExportSink) => Promise<void>): ExportJobState {
    this.prune();
    const state: ExportJobState = {
      jobId: randomUUID(),
      fileName: file.fileName,
      mime: file.mime,
      rows: 0,
      bytes: 0,
      finished: false,
      cancelled: false,
      error: null,
      download: null,
      ...(file.scope !== undefined ? { scope: file.scope } : {}),
    };
    const job: Job = { state, path: join(exportFolder(), `${state.jobId}.part`), tokenHash: null, endedAt: null, streaming: false };
    this.jobs.set(state.jobId, job);
    // Started on the next turn, so that the caller has the job's id before any work is done.
    void new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.write(job, fill))
      .then(
        () => {
          if (state.cancelled) return this.removeFile(job);
          const token = randomBytes(32).toString('base64url');
          job.tokenHash = hashOf(token);
          this.byToken.set(job.tokenHash, state.jobId);
          state.download = `${DOWNLOAD_PATH}${token}`;
        },
        (err: unknown) => {
          this.removeFile(job);
          if (state.cancelled) return;
          const e = err instanceof MarginaliaError ? err : null;
          state.error = { code: e?.code ?? 'io', message: `The export of ${state.fileName} failed, and nothing was saved: ${(err as Error)?.message ?? String(err)}` };
        },
      )
      .finally(() => {
        state.finished = true;
        job.endedAt = Date.now();
      });
    return { ...state };
  }

  /**
   * Starts an export whose file another process writes (agreement's own process): `produce` is
   * handed the job's file, made empty and private, writes it whole and resolves; its bytes are
   * then counted. The file is the one the download serves, so nothing is copied. Cancelling the
   * job does not stop the writer: `produce`'s caller stops it, and the job removes the file.
   */
  startWritten(file: { fileName: string; mime: string; scope?: string }, produce: (path: string) => Promise<void>): ExportJobState {
    let job: Job | undefined;
    const state = this.start(file, async () => {
      await produce(job!.path);
      job!.state.bytes = statSync(job!.path).size;
    });
    // The writing starts on the next turn (see start), by which time the job is known here.
    job = this.get(state.jobId);
    return state;
  }

  progress(jobId: string): ExportJobState {
    return { ...this.get(jobId).state };
  }

  /**
   * Stops a running export at its next write, or drops a finished one that was not downloaded:
   * either way its temporary file is removed and its download address no longer answers.
   */
  cancel(jobId: string): ExportJobState {
    const job = this.get(jobId);
    this.cancelJob(job);
    return { ...job.state };
  }

  /**
   * Cancels every export not yet downloaded, as Cancel does each, when the project they read
   * is closed (another is opened): a running one ends as Cancelled, whether its next write
   * stops it or its next read of the closed file fails, and a finished one's download of the
   * old project stops answering.
   */
  cancelAll(): void {
    for (const job of this.jobs.values()) this.cancelJob(job);
  }

  /** Resolves with the job's state once it has finished: for the command line and tests. */
  async wait(jobId: string): Promise<ExportJobState> {
    const job = this.get(jobId);
    while (!job.state.finished) await new Promise((r) => setTimeout(r, 10));
    return { ...job.state };
  }

  /**
   * The finished export a download token names, or null for a token that names none (wrong,
   * already used, cancelled, expired). The token works once: a second request is refused.
   */
  take(token: string): TakenDownload | null {
    if (!TOKEN_SHAPE.test(token)) return null;
    const hash = hashOf(token);
    const jobId = this.byToken.get(hash);
    const job = jobId ? this.jobs.get(jobId) : undefined;
    if (!job || job.tokenHash !== hash) return null;
    this.byToken.delete(hash);
    job.tokenHash = null;
    job.state.download = null;
    job.streaming = true;
    return {
      path: job.path,
      fileName: job.state.fileName,
      mime: job.state.mime,
      bytes: job.state.bytes,
      release: () => {
        job.streaming = false;
        this.forget(job);
      },
    };
  }

  /** The temporary file of a job that is running now (for tests: where the bytes go). */
  fileOf(jobId: string): string {
    return this.get(jobId).path;
  }

  private async write(job: Job, fill: (sink: ExportSink) => Promise<void>): Promise<void> {
    if (job.state.cancelled) return;
    // The folder again, in case something cleaning the temp folder took it since the last export.
    mkdirSync(dirname(job.path), { recursive: true, mode: 0o700 });
    const fd = openSync(job.path, 'wx', 0o600);
    try {
      const sink = new JobFile(fd, job.state);
      await fill(sink);
      sink.flush();
    } finally {
      closeSync(fd);
    }
  }

  private cancelJob(job: Job): void {
    // A finished export still waiting for its download counts as cancelled too; one already downloaded stays as it was.
    if (!job.state.finished || job.tokenHash) job.state.cancelled = true;
    this.forget(job);
  }

  /** Closes a job's download and removes its file (a running job's is removed when it stops); its state stays to be polled until pruned. */
  private forget(job: Job): void {
    if (!job.state.finished) return;
    if (job.tokenHash) this.byToken.delete(job.tokenHash);
    job.tokenHash = null;
    job.state.download = null;
    if (!job.streaming) this.removeFile(job);
  }

  private removeFile(job: Job): void {
    try {
      rmSync(job.path, { force: true });
    } catch {
      // A file another program holds open (Windows) goes with the folder at exit.
    }
  }

  private get(jobId: string): Job {
    const job = this.jobs.get(jobId);
    if (!job) throw new MarginaliaError('not_found', `No export with id "${jobId}": it was downloaded, cancelled, or finished more than ten minutes ago. Save the export again.`);
    return job;
  }

  private prune(): void {
    const now = Date.now();
    for (const job of this.jobs.values()) {
      if (job.endedAt === null || job.streaming || now - job.endedAt <= KEEP_FINISHED_MS) continue;
      this.forget(job);
      this.jobs.delete(job.state.jobId);
    }
  }
}
