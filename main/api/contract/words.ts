import { z } from 'zod';
import { command, query } from '../define';
import type { WordFrequencies } from '../../core/analysis/words';
import type { AnalysisJob } from '../../core/analysis/jobs';
import { Id } from './common';
import type { CsvFile } from './team';
import type { StopLanguage } from '../../core/analysis/stopwords';

const Language = z.enum(['en', 'ru', 'uk']);

/** Which documents: all, or those whose attribute has a value (outlet = RT). */
const Where = z.object({ attribute: z.string().trim().min(1, { message: 'must name an attribute' }).max(500), value: z.string().max(10_000) }).strict();

const FrequencyInput = z
  .object({
    n: z.union([z.literal(1), z.literal(2), z.literal(3)]).default(1),
    top: z.number().int().min(1).max(100_000).default(200),
    stopwords: z.boolean().default(true),
    where: Where.optional(),
    /** A document set, by id or name. */
    set: z.string().trim().min(1).max(500).optional(),
  })
  .strict();

/** A word count running in the background: documents read, the list so far, the answer once finished. */
export type WordJob = AnalysisJob<WordFrequencies>;

export const wordsContract = {
  'words.start': query<WordJob>()(
    FrequencyInput,
    'Starts counting words or phrases in the background (as words.frequency counts them) and answers at once with the job: poll words.progress for documents read, the list so far and the answer; words.cancel stops it.',
  ),
  'words.progress': query<WordJob>()(z.object({ jobId: Id }).strict(), 'Where a background word count stands: documents read of those in scope, the list so far (marked partial), the answer once finished.'),
  'words.cancel': query<WordJob>()(z.object({ jobId: Id }).strict(), 'Stops a background word count; nothing it counted is kept.'),
  'words.attributes': query<Array<{ name: string; values: string[] }>>()(
    z.object({}).strict(),
    'The document attributes and their values (the first 500 of each, in order), to choose which documents a word count covers.',
  ),
  'words.frequency': query<WordFrequencies>()(
    FrequencyInput,
    'The most frequent words (n 1) or phrases of two or three words, with counts and document counts, over all documents, a document set or those with one attribute value; stop words left out unless stopwords is false.',
  ),
  'words.csv': query<CsvFile & { rows: number }>()(
    FrequencyInput.extend({ excel: z.boolean().optional() }).strict(),
    'The same list as a CSV file (word or phrase, count, documents, per 10,000 words), through the export CSV writer.',
  ),
  'words.stopwords': query<{ language: StopLanguage; words: string[]; edited: boolean }>()(
    z.object({ language: Language }).strict(),
    "The project's stop list for English, Russian or Ukrainian: its edited copy, else the one shipped.",
  ),
  'words.setStopwords': command<{ language: StopLanguage; words: string[]; edited: boolean }>()(
    z.object({ language: Language, words: z.array(z.string().max(200)).max(20_000).nullable() }).strict(),
    'Keeps an edited stop list in the project file; null puts the shipped list back.',
  ),
} as const;
