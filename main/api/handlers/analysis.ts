import { analysisContract } from '../contract/analysis';
import type { HandlersOf } from './types';
import { addToSet, createSet, deleteSet, documentsOf, listSets, removeFromSet, renameSet, resolveSet, setDocumentIds } from '../../core/documents/sets';
import { cooccurrence, cooccurrenceCsv, cooccurrencePassages } from '../../core/analysis/cooccurrence';
import { crosstab, crosstabCsv, crosstabPassages } from '../../core/analysis/crosstab';

const stamp = () => new Date().toISOString().slice(0, 16).replace(/[-:T]/g, '');
const csvFile = (name: string, csv: string) => ({ fileName: `${name}-${stamp()}.csv`, mime: 'text/csv', dataBase64: Buffer.from(csv, 'utf8').toString('base64') });
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
  'analysis.cooccurrence': ({ session }, input) => session.project.db.readLong((r) => cooccurrence(r, input)),
  'analysis.cooccurrencePassages': ({ session }, { a, b, limit, ...input }) => session.project.db.read((r) => cooccurrencePassages(r, input, a, b, limit)),
  'analysis.cooccurrenceCsv': async ({ session }, { delimiter, excel, raw, ...input }) => {
    const c = await session.project.db.readLong((r) => cooccurrence(r, input));
    return csvFile(`cooccurrence-${c.unit}`, cooccurrenceCsv(c, { delimiter, excel, raw }));
  },
  'analysis.crosstab': ({ session }, input) => session.project.db.readLong((r) => crosstab(r, { ...input, limit: input.limit ?? 50 })),
  'analysis.crosstabPassages': ({ session }, { codeId, column, limit, ...input }) => session.project.db.read((r) => crosstabPassages(r, input, codeId, column, limit)),
  'analysis.crosstabCsv': async ({ session }, { percent, delimiter, excel, raw, ...input }) => {
    const t = await session.project.db.readLong((r) => crosstab(r, input));
    return csvFile(`crosstab-${input.by.kind === 'document' ? 'documents' : input.by.name.replace(/[^\p{L}\p{N}]+/gu, '-')}`, crosstabCsv(t, percent ?? 'none', { delimiter, excel, raw }));
  },
};
