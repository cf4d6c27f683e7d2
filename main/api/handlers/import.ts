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

/** Each host's session has its own jobs; they end with it. */
const jobsBySession = new WeakMap<Session, ImportJobs>();
function jobsOf(session: Session): ImportJobs {
  let jobs = jobsBySession.get(session);
  if (!jobs) jobsBySession.set(session, (jobs = new ImportJobs()));
  return jobs;
}

const decode = (files: { name: string; dataBase64: string }[]) => files.map((f) => ({ name: f.name, bytes: Buffer.from(f.dataBase64, 'base64') }));

export const importHandlers: HandlersOf<typeof importContract> = {
  'import.files': async ({ session }, { files, mapping, keepDuplicates }) => {
    const coder = await session.coder();
    const sources = decode(files);
    return importSources(session.project, sources, sources.length, { importedBy: coder.id, mapping, keepDuplicates });
  },
  'import.start': async ({ session }, { files, mapping, more, keepDuplicates }) => {
    const coder = await session.coder();
    const project = session.project;
    return jobsOf(session).start(project, decode(files), {
      importedBy: coder.id,
      mapping,
      more,
      keepDuplicates,
      // Closing or switching the project stops the job between files.
      isProjectOpen: () => session.hasProject && session.project === project,
    });
  },
  'import.add': async ({ session }, { jobId, files, more }) => jobsOf(session).add(jobId, decode(files), more),
  'import.progress': async ({ session }, { jobId }) => jobsOf(session).progress(jobId),
  'import.cancel': async ({ session }, { jobId }) => jobsOf(session).cancel(jobId),
  'import.finish': async ({ session }, { jobId }) => jobsOf(session).finish(jobId),
  'import.preview': async (_ctx, { file }) => {
    const format = spreadsheetFormatOf(extname(file.name).toLowerCase());
    if (!format) throw new MarginaliaError('unsupported', `${file.name}: only .csv, .tsv, .xlsx and .jsonl files have columns to map.`);
    // Read in the sandbox worker, under the same memory ceiling and time limit as an import.
    return previewInSandbox(Buffer.from(file.dataBase64, 'base64'), file.name, format);
  },
  'attributes.import': async ({ session }, { file }) => {
    const coder = await session.coder();
    return importAttributes(session.project, Buffer.from(file.dataBase64, 'base64'), file.name, coder.id);
  },
};
