import { wordsContract } from '../contract/words';
import type { HandlersOf } from './types';
import { attributeValues, checkWordScope, getStopwords, setStopwords, wordFrequencies, wordFrequenciesCsv, type WordFrequencies } from '../../core/analysis/words';
import { AnalysisJobs } from '../../core/analysis/jobs';
import type { Session } from '../session';
import { csvDownload } from '../downloads';

const jobsBySession = new WeakMap<Session, AnalysisJobs<WordFrequencies>>();
function jobsOf(session: Session): AnalysisJobs<WordFrequencies> {
  let jobs = jobsBySession.get(session);
  if (!jobs) jobsBySession.set(session, (jobs = new AnalysisJobs<WordFrequencies>('word count')));
  return jobs;
}

export const wordsHandlers: HandlersOf<typeof wordsContract> = {
  'words.frequency': ({ session }, input) => wordFrequencies(session.project.db, input),
  'words.start': async ({ session }, input) => {
    const db = session.project.db;
    // A scope the project lacks is refused now, not reported later by the job.
    await db.read((r) => checkWordScope(r, input));
    return jobsOf(session).start((job) =>
      wordFrequencies(db, input, { onProgress: (p) => job.progress(p.done, p.total), onPartial: (r) => job.partial(r), isCancelled: job.isCancelled }),
    );
  },
  'words.progress': async ({ session }, { jobId }) => jobsOf(session).progress(jobId),
  'words.cancel': async ({ session }, { jobId }) => jobsOf(session).cancel(jobId),
  'words.attributes': ({ session }) => session.project.db.read(attributeValues),
  'words.csv': async ({ session }, { excel, ...input }) => {
    const result = await wordFrequencies(session.project.db, input);
    const csv = wordFrequenciesCsv(result, { excel });
    const scope = [input.set, input.where && `${input.where.attribute}-${input.where.value}`]
      .filter(Boolean)
      .map((x) => `-${x}`.replace(/[^\p{L}\p{N}_-]+/gu, '_'))
      .join('')
      .slice(0, 60);
    return { ...(await csvDownload(session, `${input.n === 1 ? 'words' : `phrases-${input.n}`}${scope}.csv`, csv)), rows: result.words.length };
  },
  'words.stopwords': ({ session }, { language }) => session.project.db.read((r) => getStopwords(r, language)),
  'words.setStopwords': async ({ session }, { language, words }) => {
    await session.project.db.transaction((tx) => setStopwords(tx, language, words));
    return session.project.db.read((r) => getStopwords(r, language));
  },
};
