import { wordsContract } from '../contract/words';
import type { HandlersOf } from './types';
import { getStopwords, setStopwords, wordFrequencies, wordFrequenciesCsv } from '../../core/analysis/words';

export const wordsHandlers: HandlersOf<typeof wordsContract> = {
  'words.frequency': ({ session }, input) => wordFrequencies(session.project.db, input),
  'words.csv': async ({ session }, { excel, ...input }) => {
    const result = await wordFrequencies(session.project.db, input);
    const csv = wordFrequenciesCsv(result, { excel });
    const scope = [input.set, input.where && `${input.where.attribute}-${input.where.value}`]
      .filter(Boolean)
      .map((x) => `-${x}`.replace(/[^\p{L}\p{N}_-]+/gu, '_'))
      .join('')
      .slice(0, 60);
    return { fileName: `${input.n === 1 ? 'words' : `phrases-${input.n}`}${scope}.csv`, mime: 'text/csv', dataBase64: Buffer.from(csv, 'utf8').toString('base64'), rows: result.words.length };
  },
  'words.stopwords': ({ session }, { language }) => session.project.db.read((r) => getStopwords(r, language)),
  'words.setStopwords': async ({ session }, { language, words }) => {
    await session.project.db.transaction((tx) => setStopwords(tx, language, words));
    return session.project.db.read((r) => getStopwords(r, language));
  },
};
