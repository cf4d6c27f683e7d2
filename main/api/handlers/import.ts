import { importContract } from '../contract/import';
import type { HandlersOf } from './types';
import type { Session } from '../session';
import { importSources } from '../../core/import/import-files';
import { ImportJobs } from '../../core/import/import-jobs';
import { spreadsheetFormatOf } from '../../core/import/spreadsheet';
import { previewInSandbox } from '../../core/sandbox/sandbox';
import { importAttributes } from '../../core/import/attributes-csv';
import { MarginaliaError } from '../../core/errors';
import { extname } from 'node:path';
import type { ImportSource } from '../../core/import/extract';
import { removeUpload, uploadedBytes, uploadedContent, type StoredUpload } from '../../core/files/uploads';

/** Each host's session has its own jobs; they end with it. */
const jobsBySession = new WeakMap<Session, ImportJobs>();
function jobsOf(session: Session): ImportJobs {
  let jobs = jobsBySession.get(session);
  if (!jobs) jobsBySession.set(session, (jobs = new ImportJobs()));
  return jobs;
}

const EMPTY = new Uint8Array();

/**
 * Uploaded files as sources to import, and the temporary files (uploads the bridge stored) to
 * remove once the import has read them. A file whose content is not base64 fails alone, in
 * the report, naming itself.
 */
function sourcesOf(files: { name: string; dataBase64: string }[]): { sources: ImportSource[]; stored: StoredUpload[] } {
  const stored: StoredUpload[] = [];
  const sources = files.map((f): ImportSource => {
    try {
      const content = uploadedContent(f.name, f.dataBase64);
      if (content.bytes) return { name: f.name, bytes: content.bytes };
      stored.push(content.stored);
      return { name: f.name, bytes: EMPTY, path: content.stored.path };
    } catch (err) {
      const message = (err as Error).message;
      return { name: f.name, bytes: EMPTY, error: message.startsWith(`${f.name}: `) ? message.slice(f.name.length + 2) : message };
    }
  });
  return { sources, stored };
}

const removeAll = (stored: StoredUpload[]) => stored.forEach(removeUpload);

/** Removes a job's stored uploads once it has finished (read them all, or was cancelled). */
function removeAfterJob(jobs: ImportJobs, jobId: string, stored: StoredUpload[]): void {
  if (stored.length === 0) return;
  void jobs.wait(jobId).then(
    () => removeAll(stored),
    () => removeAll(stored),
  );
}

export const importHandlers: HandlersOf<typeof importContract> = {
  'import.files': async ({ session }, { files, mapping, keepDuplicates }) => {
    const { sources, stored } = sourcesOf(files);
    try {
      const coder = await session.coder();
      return await importSources(session.project, sources, sources.length, { importedBy: coder.id, mapping, keepDuplicates });
    } finally {
      removeAll(stored);
    }
  },
  'import.start': async ({ session }, { files, mapping, more, keepDuplicates }) => {
    const { sources, stored } = sourcesOf(files);
    const jobs = jobsOf(session);
    let progress;
    try {
      const coder = await session.coder();
      const project = session.project;
      progress = jobs.start(project, sources, {
        importedBy: coder.id,
        mapping,
        more,
        keepDuplicates,
        // Closing or switching the project stops the job between files.
        isProjectOpen: () => session.hasProject && session.project === project,
      });
    } catch (err) {
      removeAll(stored);
      throw err;
    }
    removeAfterJob(jobs, progress.jobId, stored);
    return progress;
  },
  'import.add': async ({ session }, { jobId, files, more }) => {
    const { sources, stored } = sourcesOf(files);
    const jobs = jobsOf(session);
    let progress;
    try {
      progress = jobs.add(jobId, sources, more);
    } catch (err) {
      removeAll(stored);
      throw err;
    }
    removeAfterJob(jobs, jobId, stored);
    return progress;
  },
  'import.progress': async ({ session }, { jobId }) => jobsOf(session).progress(jobId),
  'import.cancel': async ({ session }, { jobId }) => jobsOf(session).cancel(jobId),
  'import.finish': async ({ session }, { jobId }) => jobsOf(session).finish(jobId),
  'import.preview': async (_ctx, { file }) => {
    const format = spreadsheetFormatOf(extname(file.name).toLowerCase());
    if (!format) throw new MarginaliaError('unsupported', `${file.name}: only .csv, .tsv, .xlsx and .jsonl files have columns to map.`);
    // Read in the sandbox worker, under the same memory ceiling and time limit as an import;
    // an upload the bridge stored is read there from its temporary file.
    const content = uploadedContent(file.name, file.dataBase64);
    if (content.bytes) return previewInSandbox(content.bytes, file.name, format);
    try {
      return await previewInSandbox({ path: content.stored.path }, file.name, format);
    } finally {
      removeUpload(content.stored);
    }
  },
  'attributes.import': async ({ session }, { file }) => {
    const coder = await session.coder();
    return importAttributes(session.project, uploadedBytes(file.name, file.dataBase64), file.name, coder.id);
  },
};
