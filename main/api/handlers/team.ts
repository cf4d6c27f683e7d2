import { teamContract } from '../contract/team';
import type { HandlersOf } from './types';
import type { Session } from '../session';
import { resolve } from 'node:path';
import type { CsvFile } from '../contract/team';
import { csvDownload, discardDownload, writtenDownload } from '../downloads';
import { agreementFromProject, agreementRowsFromProject, type AgreementOptions, type AgreementProgress } from '../../core/team/agreement';
import { writeAgreementCsv } from '../../core/team/agreement-csv';
import { AgreementJobs } from '../../core/team/agreement-jobs';
import { agreementInChild, type ChildRun } from '../../core/team/agreement-process';
import { hiddenCoders } from '../../core/team/blind-scope';
import type { CsvOptions } from '../../core/exchange/csv';
import { applyMerge, previewMerge } from '../../core/team/merge';
import { readMergeSource } from '../../core/team/merge-source';
import { discardUpload, getUpload, saveUpload } from '../../core/team/merge-uploads';
import { listDisagreements, resolveDisagreement } from '../../core/team/consensus';
import { closeRound, createRound, getRound, listRounds, visibleCoders } from '../../core/team/rounds';

/**
 * Each host's session has its own agreement computations; they end with it, and with its
 * project: a computation reads the project's file, so opening another (or closing it) cancels
 * them, and no report or CSV of the old project reaches the new one's screen.
 */
const jobsBySession = new WeakMap<Session, AgreementJobs>();
export function agreementJobsOf(session: Session): AgreementJobs {
  let jobs = jobsBySession.get(session);
  if (!jobs) {
    const made = new AgreementJobs((file) => discardDownload(session, file));
    session.onProjectChange(() => made.cancelAll());
    jobsBySession.set(session, (jobs = made));
  }
  return jobs;
}

function stamp(): string {
  return new Date().toISOString().slice(0, 10);
}

async function codePath(session: Session, id: string): Promise<string> {
  const row = await session.project.db.read((r) => r.get<{ name: string }>(`SELECT name FROM codes WHERE id = ?`, [id]));
  return row?.name ?? id;
}

/**
 * The coders this session's reads may not see (blind coding), read under its own read scope:
 * agreement's own process installs the same views for them (blindViews), so it sees exactly
 * what a read here would.
 */
async function hiddenFromSession(session: Session): Promise<string[]> {
  return [...(await session.project.db.read(hiddenCoders))].sort();
}

/**
 * Agreement's work runs in a process of its own that reads the project file itself: by sentence
 * over 100,000 documents it takes about 370 MB, which in the app's main process stayed there
 * as garbage and malloc's arenas after it ended (warm, the main process peaked at 383–490 MB).
 * A project open read-only (a damaged file, a file in a read-only folder) might not open in
 * another process, so its agreement is computed here, on the long-read connection, as before.
 */
async function agreementReport(session: Session, options: AgreementOptions, run: ChildRun) {
  const db = session.project.db;
  if (db.readOnly) return { report: await db.readLong((r) => agreementFromProject(r, options, inProcess(run))) };
  const done = await agreementInChild({ projectPath: resolve(session.project.path), hiddenCoderIds: await hiddenFromSession(session), options }, run);
  if (done.type !== 'report') throw new Error('The agreement computation answered with a file instead of its report.');
  return { report: done.report };
}

/** The agreement CSV, written by its own process straight into the export's file that the download serves. */
async function agreementCsvFile(session: Session, options: AgreementOptions, csv: CsvOptions, run: ChildRun): Promise<CsvFile> {
  const db = session.project.db;
  if (db.readOnly) {
    // Every document's rows are kept as numbers, not objects, until the file is written (by document at 100,000: peak 865 → 282 MB).
    const { report, rows } = await db.readLong((r) => agreementRowsFromProject(r, options, inProcess(run)));
    run.onWriting?.();
    return csvDownload(session, `agreement-${report.unit}-${stamp()}.csv`, (sink) => writeAgreementCsv(report, csv, sink, rows));
  }
  const hiddenCoderIds = await hiddenFromSession(session);
  return writtenDownload(session, `agreement-${options.unit}-${stamp()}.csv`, async (path) => {
    const done = await agreementInChild({ projectPath: resolve(session.project.path), hiddenCoderIds, options, csv: { path, options: csv } }, run);
    if (done.type !== 'written') throw new Error('The agreement computation answered with a report instead of its file.');
  });
}

/** A job's progress and Cancel for the computation in this process. */
function inProcess(run: ChildRun): AgreementProgress {
  return { onProgress: run.onProgress, isCancelled: () => run.signal?.aborted ?? false, ...(run.batchSize !== undefined ? { batchSize: run.batchSize } : {}) };
}

export const teamHandlers: HandlersOf<typeof teamContract> = {
  'team.agreement': ({ session }, input) => session.project.db.read((r) => agreementFromProject(r, input)),
  // In its own process, on its own connection: coding and opening documents go on while it runs.
  'team.agreementStart': async ({ session }, input) => agreementJobsOf(session).start((progress) => agreementReport(session, input, progress)),
  'team.agreementProgress': async ({ session }, { jobId }) => agreementJobsOf(session).progress(jobId),
  'team.agreementCancel': async ({ session }, { jobId }) => agreementJobsOf(session).cancel(jobId),
  'team.agreementCsv': async ({ session }, { delimiter, excel, raw, ...input }) => agreementCsvFile(session, input, { delimiter, excel, raw }, {}),
  'team.agreementCsvStart': async ({ session }, { delimiter, excel, raw, ...input }) =>
    agreementJobsOf(session).start(async (progress) => ({ file: await agreementCsvFile(session, input, { delimiter, excel, raw }, progress) })),
  'team.mergePreview': async ({ session }, input) => {
    const upload = saveUpload(input.fileName, input.dataBase64);
    try {
      const other = await readMergeSource(upload.path, upload.fileName, await session.coder());
      return { ...(await previewMerge(session.project.db, other)), uploadId: upload.id };
    } catch (err) {
      discardUpload(upload.id);
      throw err;
    }
  },
  'team.mergeApply': async ({ session }, input) => {
    const upload = getUpload(input.uploadId);
    const coder = await session.coder();
    const other = await readMergeSource(upload.path, upload.fileName, coder);
    const result = await applyMerge(session.project.db, session.project.path, other, input.choices, coder.id);
    discardUpload(input.uploadId);
    return result;
  },
  'team.mergeCancel': async (_ctx, input) => discardUpload(input.uploadId),
  'team.disagreements': ({ session }, input) => session.project.db.read((r) => listDisagreements(r, input)),
  'team.resolve': async ({ session }, input) => {
    const coder = await session.coder();
    const what = await codePath(session, input.codeId);
    return session.project.db.action({ kind: 'team.resolve', summary: `Settle disagreement on ${what}`, coderId: coder.id }, (tx) =>
      resolveDisagreement(tx, { ...input, decidedBy: coder.id }),
    );
  },
  'team.rounds.list': ({ session }) => session.project.db.read(listRounds),
  'team.rounds.create': async ({ session }, input) => {
    const coder = await session.coder();
    const id = await session.project.db.action({ kind: 'team.round.create', summary: `Open reliability round ${input.name}`, coderId: coder.id }, (tx) =>
      createRound(tx, { ...input, createdBy: coder.id }),
    );
    return session.project.db.read((r) => getRound(r, id));
  },
  'team.rounds.close': async ({ session }, input) => {
    const coder = await session.coder();
    await session.project.db.action({ kind: 'team.round.close', summary: 'Close reliability round', coderId: coder.id }, (tx) => closeRound(tx, input.id));
    return session.project.db.read((r) => getRound(r, input.id));
  },
  'team.visibleCoders': async ({ session }) => {
    const coder = await session.coder();
    return session.project.db.read((r) => visibleCoders(r, coder.id));
  },
};
