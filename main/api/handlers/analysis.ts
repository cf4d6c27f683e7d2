import { analysisContract } from '../contract/analysis';
import type { HandlersOf } from './types';
import { addToSet, createSet, deleteSet, documentsOf, listSets, removeFromSet, renameSet, resolveSet, setDocumentIds } from '../../core/documents/sets';
import { cooccurrence, cooccurrenceCsv, cooccurrencePassages } from '../../core/analysis/cooccurrence';
import { crosstab, crosstabForCsv, crosstabPassages, type Crosstab } from '../../core/analysis/crosstab';
import type { Cooccurrence } from '../../core/analysis/cooccurrence';
import { AnalysisJobs } from '../../core/analysis/jobs';
import { resolveFilter } from '../../core/exchange/filter';
import type { Session } from '../session';
import { csvDownload } from '../downloads';
import { notFound } from '../../core/errors';

interface Jobs {
  cooccurrence: AnalysisJobs<Cooccurrence>;
  crosstab: AnalysisJobs<Crosstab>;
}
const jobsBySession = new WeakMap<Session, Jobs>();
function jobsOf(session: Session): Jobs {
  let jobs = jobsBySession.get(session);
  if (!jobs) jobsBySession.set(session, (jobs = { cooccurrence: new AnalysisJobs('co-occurrence count'), crosstab: new AnalysisJobs('crosstab') }));
  return jobs;
}

const stamp = () => new Date().toISOString().slice(0, 16).replace(/[-:T]/g, '');
const csvFile = (session: Session, name: string, csv: Parameters<typeof csvDownload>[2]) => csvDownload(session, `${name}-${stamp()}.csv`, csv);
const plural = (n: number) => `${n} document${n === 1 ? '' : 's'}`;

export const analysisHandlers: HandlersOf<typeof analysisContract> = {
  'sets.list': ({ session }) => session.project.db.read(listSets),
  'sets.create': async ({ session }, { name, description, ...source }) => {
    const coder = await session.coder();
    const ids = await session.project.db.read((r) => documentsOf(r, source));
    return session.project.db.action({ kind: 'set.create', summary: `Make document set ${name.trim()} (${plural(ids.length)})`, coderId: coder.id }, async (tx) => {
      const id = await createSet(tx, { name, description, createdBy: coder.id });
      return { id, added: await addToSet(tx, id, ids) };
    });
  },
  'sets.add': async ({ session }, { setId, ...source }) => {
    const coder = await session.coder();
    const [set, ids] = await session.project.db.read(async (r) => [await resolveSet(r, setId), await documentsOf(r, source)] as const);
    const added = await session.project.db.action({ kind: 'set.add', summary: `Add ${plural(ids.length)} to set ${set.name}`, coderId: coder.id }, (tx) => addToSet(tx, set.id, ids));
    return { added };
  },
  'sets.remove': async ({ session }, { setId, ...source }) => {
    const coder = await session.coder();
    const [set, ids] = await session.project.db.read(async (r) => [await resolveSet(r, setId), await documentsOf(r, source)] as const);
    const removed = await session.project.db.action({ kind: 'set.remove', summary: `Take ${plural(ids.length)} out of set ${set.name}`, coderId: coder.id }, (tx) =>
      removeFromSet(tx, set.id, ids),
    );
    return { removed };
  },
  'sets.rename': async ({ session }, { setId, name }) => {
    const coder = await session.coder();
    const set = await session.project.db.read((r) => resolveSet(r, setId));
    await session.project.db.action({ kind: 'set.rename', summary: `Rename set ${set.name} to ${name.trim()}`, coderId: coder.id }, (tx) => renameSet(tx, set.id, name));
  },
  'sets.delete': async ({ session }, { setId }) => {
    const coder = await session.coder();
    const set = await session.project.db.read((r) => resolveSet(r, setId));
    await session.project.db.action({ kind: 'set.delete', summary: `Delete set ${set.name}`, coderId: coder.id }, (tx) => deleteSet(tx, set.id));
  },
  'sets.members': ({ session }, { setId }) => session.project.db.read(async (r) => setDocumentIds(r, (await resolveSet(r, setId)).id)),
  'analysis.cooccurrenceStart': async ({ session }, input) => {
    const db = session.project.db;
    // Coders or a set the project lacks are refused now, not reported later by the job.
    await db.read((r) => resolveFilter(r, input.filter));
    return jobsOf(session).cooccurrence.start((job) =>
      db.readLong((r) => cooccurrence(r, input, { onProgress: job.progress, onPartial: job.partial, isCancelled: job.isCancelled })),
    );
  },
  'analysis.cooccurrenceProgress': async ({ session }, { jobId }) => jobsOf(session).cooccurrence.progress(jobId),
  'analysis.crosstabStart': async ({ session }, input) => {
    const db = session.project.db;
    await db.read((r) => resolveFilter(r, input.filter));
    return jobsOf(session).crosstab.start((job) =>
      db.readLong((r) => crosstab(r, { ...input, limit: input.limit ?? 50 }, { onProgress: job.progress, onPartial: job.partial, isCancelled: job.isCancelled })),
    );
  },
  'analysis.crosstabProgress': async ({ session }, { jobId }) => jobsOf(session).crosstab.progress(jobId),
  'analysis.cancel': async ({ session }, { jobId }) => {
    const jobs = jobsOf(session);
    for (const kind of [jobs.cooccurrence, jobs.crosstab] as const) {
      if (kind.has(jobId)) return { cancelled: kind.cancel(jobId).cancelled };
    }
    throw notFound('co-occurrence count or crosstab', jobId);
  },
  'analysis.cooccurrence': ({ session }, input) => session.project.db.readLong((r) => cooccurrence(r, input)),
  'analysis.cooccurrencePassages': ({ session }, { a, b, limit, ...input }) => session.project.db.read((r) => cooccurrencePassages(r, input, a, b, limit)),
  'analysis.cooccurrenceCsv': async ({ session }, { delimiter, excel, raw, ...input }) => {
    const c = await session.project.db.readLong((r) => cooccurrence(r, input));
    return csvFile(session, `cooccurrence-${c.unit}`, cooccurrenceCsv(c, { delimiter, excel, raw }));
  },
  'analysis.crosstab': ({ session }, input) => session.project.db.readLong((r) => crosstab(r, { ...input, limit: input.limit ?? 50 })),
  'analysis.crosstabPassages': ({ session }, { codeId, column, limit, ...input }) => session.project.db.read((r) => crosstabPassages(r, input, codeId, column, limit)),
  'analysis.crosstabCsv': async ({ session }, { percent, delimiter, excel, raw, ...input }) => {
    const t = await session.project.db.readLong((r) => crosstabForCsv(r, input));
    return csvFile(session, `crosstab-${input.by.kind === 'document' ? 'documents' : input.by.name.replace(/[^\p{L}\p{N}]+/gu, '-')}`, (sink) => t.write(percent ?? 'none', { delimiter, excel, raw }, sink));
  },
};
