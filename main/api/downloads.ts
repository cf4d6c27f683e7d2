import { ExportJobs, type TakenDownload } from '../core/exchange/export-jobs';
import type { Session } from './session';
import type { CsvFile } from './contract/team';
import { MarginaliaError } from '../core/errors';
import type { Sink } from '../core/exchange/csv';
import { open } from 'node:fs/promises';

const jobsBySession = new WeakMap<Session, ExportJobs>();

/** The exports written for this session's downloads (the handlers start them, the transports serve them). */
export function exportJobsOf(session: Session): ExportJobs {
  let jobs = jobsBySession.get(session);
  if (!jobs) jobsBySession.set(session, (jobs = new ExportJobs()));
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
  if (!done.download) throw new MarginaliaError('io', done.error?.message ?? `${fileName} could not be written for its download. Try again.`);
  return { fileName, mime, bytes: done.bytes, download: done.download };
}

/**
 * A CSV another process wrote to `path` (agreement's own process), handed over as csvDownload's
 * are: copied into the export's file a megabyte at a time, between which the app answers other
 * requests and `signal` can stop it. The caller removes `path`.
 */
export async function fileDownload(session: Session, fileName: string, path: string, signal?: AbortSignal): Promise<CsvFile> {
  const jobs = exportJobsOf(session);
  const mime = 'text/csv';
  const started = jobs.start({ fileName, mime }, async (sink) => {
    const file = await open(path, 'r');
    try {
      const chunk = Buffer.allocUnsafe(1 << 20);
      for (;;) {
        const { bytesRead } = await file.read(chunk, 0, chunk.length, null);
        if (bytesRead === 0) break;
        sink.writeBytes(chunk.subarray(0, bytesRead));
      }
    } finally {
      await file.close();
    }
  });
  const stop = () => jobs.cancel(started.jobId);
  signal?.addEventListener('abort', stop);
  try {
    const done = await jobs.wait(started.jobId);
    if (done.cancelled) throw new MarginaliaError('cancelled', `Cancelled: ${fileName} was not saved.`);
    if (!done.download) throw new MarginaliaError('io', done.error?.message ?? `${fileName} could not be written for its download. Try again.`);
    return { fileName, mime, bytes: done.bytes, download: done.download };
  } finally {
    signal?.removeEventListener('abort', stop);
  }
}
