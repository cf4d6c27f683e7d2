import { teamContract } from '../contract/team';
import type { HandlersOf } from './types';
import type { Session } from '../session';
import { csvDownload } from '../downloads';
import { agreementFromProject, agreementRowsFromProject } from '../../core/team/agreement';
import { writeAgreementCsv } from '../../core/team/agreement-csv';
import { AgreementJobs } from '../../core/team/agreement-jobs';
import { applyMerge, previewMerge } from '../../core/team/merge';
import { readMergeSource } from '../../core/team/merge-source';
import { discardUpload, getUpload, saveUpload } from '../../core/team/merge-uploads';
import { listDisagreements, resolveDisagreement } from '../../core/team/consensus';
import { closeRound, createRound, getRound, listRounds, visibleCoders } from '../../core/team/rounds';

/** Each host's session has its own agreement computations; they end with it. */
const jobsBySession = new WeakMap<Session, AgreementJobs>();
export function agreementJobsOf(session: Session): AgreementJobs {
  let jobs = jobsBySession.get(session);
  if (!jobs) jobsBySession.set(session, (jobs = new AgreementJobs()));
  return jobs;
}

function stamp(): string {
  return new Date().toISOString().slice(0, 10);
}

async function codePath(session: Session, id: string): Promise<string> {
  const row = await session.project.db.read((r) => r.get<{ name: string }>(`SELECT name FROM codes WHERE id = ?`, [id]));
  return row?.name ?? id;
}

export const teamHandlers: HandlersOf<typeof teamContract> = {
  'team.agreement': ({ session }, input) => session.project.db.read((r) => agreementFromProject(r, input)),
  // On the long-read connection: coding and opening documents go on while it runs.
  'team.agreementStart': async ({ session }, input) => {
    const db = session.project.db;
    return agreementJobsOf(session).start((progress) => db.readLong((r) => agreementFromProject(r, input, progress)));
  },
  'team.agreementProgress': async ({ session }, { jobId }) => agreementJobsOf(session).progress(jobId),
  'team.agreementCancel': async ({ session }, { jobId }) => agreementJobsOf(session).cancel(jobId),
  'team.agreementCsv': async ({ session }, { delimiter, excel, raw, ...input }) => {
    // Every document's rows are kept as numbers, not objects, until the file is written (by document at 100,000: peak 865 → 282 MB).
    const { report, rows } = await session.project.db.read((r) => agreementRowsFromProject(r, input));
    return csvDownload(session, `agreement-${report.unit}-${stamp()}.csv`, (sink) => writeAgreementCsv(report, { delimiter, excel, raw }, sink, rows));
  },
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
