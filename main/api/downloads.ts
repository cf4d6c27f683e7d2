import { DOWNLOAD_PATH, ExportJobs, type ExportJobState, type TakenDownload } from '../core/exchange/export-jobs';
import type { Session } from './session';
import type { CsvFile } from './contract/team';
import { MarginaliaError } from '../core/errors';
import type { Sink } from '../core/exchange/csv';

const jobsBySession = new WeakMap<Session, ExportJobs>();

/**
 * The exports written for this session's downloads (the handlers start them, the transports
 * serve them). They end with its project: opening another (or closing it) cancels them before
 * the old one closes, so an export still reading it ends as Cancelled rather than as a failed
 * read, and no download of the old project is offered over the new one.
 */
export function exportJobsOf(session: Session): ExportJobs {
  let jobs = jobsBySession.get(session);
  if (!jobs) {
    const made = new ExportJobs();
    session.onProjectChange(() => made.cancelAll());
    jobsBySession.set(session, (jobs = made));
  }
  return jobs;
}

/**
 * The finished export a download token names, for the one request that presents it; null
 * when the token is wrong, used, cancelled or expired. Both transports serve downloads
 * through this: the bridge's GET /download/<token> and the desktop's app://marginalia/download/<token>.
 */
export function takeDownload(session: Session, token: string): TakenDownload | null {
  return jobsBySession.get(session)?.take(token) ?? null;
}

/** Drops a finished download no one will take (its job was cancelled after the file was written): the address stops answering and the file is removed. */
export function discardDownload(session: Session, file: { download: string }): void {
  takeDownload(session, file.download.slice(DOWNLOAD_PATH.length))?.release();
}

/**
 * Content-Disposition for a download: an ASCII fallback name for old readers, and the exact
 * name (RFC 6266 / 5987) for the rest. The name comes from the project's name, so quotes,
 * separators and control characters are never passed through.
 */
export function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\/;%]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
}

/**
 * A report's CSV made in main, handed over as an export's file is: written to the session's
 * export folder and downloaded once from its address, never base64 in a JSON reply (a crosstab
 * of every document is tens of megabytes, a third more as base64, inside a JSON string). A
 * large one (agreement by document: 301 MB at 100,000 documents) is written into the file as
 * it is made, by `csv` given the file's sink, rather than built as one string first.
 */
export async function csvDownload(session: Session, fileName: string, csv: string | ((sink: Sink) => void)): Promise<CsvFile> {
  const jobs = exportJobsOf(session);
  const mime = 'text/csv';
  const done = await jobs.wait(jobs.start({ fileName, mime }, async (sink) => (typeof csv === 'string' ? sink.write(csv) : csv(sink))).jobId);
  return handedOver(done, fileName, mime);
}

/**
 * A CSV another process writes (agreement's own process), handed over as csvDownload's are:
 * `produce` is given the export's own file to write, so the download serves it as written,
 * with no copy. Its error, when it fails, is the one thrown (it says what failed and what to
 * do); stopping the writer on Cancel is `produce`'s part.
 */
export async function writtenDownload(session: Session, fileName: string, produce: (path: string) => Promise<void>): Promise<CsvFile> {
  const jobs = exportJobsOf(session);
  const mime = 'text/csv';
  let failure: unknown = null;
  const started = jobs.startWritten({ fileName, mime }, (path) =>
    produce(path).catch((err: unknown) => {
      failure = err;
      throw err;
    }),
  );
  const done = await jobs.wait(started.jobId);
  if (failure) throw failure;
  return handedOver(done, fileName, mime);
}

/** A finished CSV job as its handler answers: its download, or why there is none. */
function handedOver(done: ExportJobState, fileName: string, mime: string): CsvFile {
  // Cancelled only by the project closing (its job's id is never handed out): trying again would make it of the next project.
  if (done.cancelled) throw new MarginaliaError('cancelled', `${fileName} was not saved: the project it was made from was closed before it was written.`);
  if (!done.download) throw new MarginaliaError('io', done.error?.message ?? `${fileName} could not be written for its download. Try again.`);
  return { fileName, mime, bytes: done.bytes, download: done.download };
}
