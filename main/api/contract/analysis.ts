import { z } from 'zod';
import { command, query } from '../define';
import { CoderScopeInput, Id, Name } from './common';
import type { CsvFile } from './team';
import type { DocumentSet } from '../../core/documents/sets';
import type { Cooccurrence, CooccurrenceUnitPassages } from '../../core/analysis/cooccurrence';
import type { Crosstab } from '../../core/analysis/crosstab';
import type { SegmentWithContext } from '../../core/coding/segments';
import type { AnalysisJob } from '../../core/analysis/jobs';

/** A background analysis as the UI polls it: documents done of total, the answer so far, the answer. */
export type { AnalysisJob };

const Where = z.array(z.string().max(2000).regex(/=/, { message: 'must be a condition like outlet=RT' })).max(50);

/** Where a set's documents come from: by hand, a search's matching documents, an attribute filter. */
const SetSource = {
  documentIds: z.array(Id).max(1_000_000).optional(),
  query: z.string().trim().min(1, { message: 'type something to search for' }).max(1000).optional(),
  regex: z.boolean().optional(),
  where: Where.optional(),
  /** The document list as filtered and sorted on screen: all it shows, or the documents at some positions of its order. */
  list: z
    .object({
      ...CoderScopeInput,
      filter: z.string().max(1000).optional(),
      setId: Id.optional(),
      sort: z.enum(['order', 'name', 'segments', 'attribute']).optional(),
      attribute: z.string().min(1).max(200).optional(),
      descending: z.boolean().optional(),
      ranges: z
        .array(z.object({ offset: z.number().int().min(0), limit: z.number().int().min(1).max(1_000_000) }).strict())
        .min(1)
        .max(1000)
        .optional(),
    })
    .strict()
    .refine((v) => v.sort !== 'attribute' || v.attribute, { message: 'name the attribute to sort by', path: ['attribute'] })
    .optional(),
  /** Documents left out of what the other fields name (unticked from a selection of the whole list). */
  exceptIds: z.array(Id).max(1_000_000).optional(),
};

/** A source must name some documents. */
const namesDocuments = (v: { documentIds?: unknown[]; query?: string; where?: unknown[]; list?: unknown }) =>
  !!(v.documentIds?.length || v.query !== undefined || v.where?.length || v.list);

/** Whose segments and which documents an analysis covers. */
const AnalysisScope = z
  .object({
    coders: z.array(z.string().trim().min(1).max(200)).max(100).optional(),
    consensus: z.boolean().optional(),
    /** A document set, by id or name. */
    set: z.string().trim().min(1).max(500).optional(),
    where: Where.optional(),
  })
  .strict();

const Csv = { delimiter: z.enum(['comma', 'semicolon', 'tab']).optional(), excel: z.boolean().optional(), raw: z.boolean().optional() };

const CooccurrenceInput = { unit: z.enum(['overlap', 'paragraph', 'document']).optional(), filter: AnalysisScope.optional() };

const By = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('document') }).strict(),
  z.object({ kind: z.literal('attribute'), name: Name, bucket: z.enum(['value', 'month', 'year']).optional() }).strict(),
]);
const CrosstabInput = {
  by: By,
  filter: AnalysisScope.extend({ code: z.string().trim().min(1).max(2000).optional(), subcodes: z.boolean().optional() }).optional(),
  measure: z.enum(['count', 'presence', 'characters', 'share']).optional(),
  rollup: z.boolean().optional(),
};

const JobId = z.object({ jobId: Id }).strict();

export const analysisContract = {
  'analysis.cooccurrenceStart': query<AnalysisJob<Cooccurrence>>()(
    z.object(CooccurrenceInput).strict(),
    'Starts the co-occurrence matrix in the background and answers at once with the job: poll analysis.cooccurrenceProgress for documents gone through, the matrix so far and the answer; analysis.cancel stops it.',
  ),
  'analysis.cooccurrenceProgress': query<AnalysisJob<Cooccurrence>>()(JobId, 'Where a background co-occurrence count stands, with the matrix so far (marked partial) and the answer once finished.'),
  'analysis.crosstabStart': query<AnalysisJob<Crosstab>>()(
    z.object({ ...CrosstabInput, offset: z.number().int().min(0).optional(), limit: z.number().int().min(1).max(2000).optional() }).strict(),
    'Starts a crosstab (as analysis.crosstab) in the background and answers at once with the job: poll analysis.crosstabProgress; analysis.cancel stops it.',
  ),
  'analysis.crosstabProgress': query<AnalysisJob<Crosstab>>()(JobId, 'Where a background crosstab stands, with the table so far (marked partial) and the answer once finished.'),
  'analysis.cancel': query<{ cancelled: boolean }>()(JobId, 'Stops a background co-occurrence count or crosstab; nothing it counted is kept.'),
  'sets.list': query<DocumentSet[]>()(z.object({}).strict(), 'The document sets of the project with their sizes.'),
  'sets.create': command<{ id: string; added: number }>()(
    z
      .object({ name: Name, description: z.string().max(10_000).optional(), ...SetSource })
      .strict(),
    'Makes a document set, with the documents chosen by hand, matching a search, or holding attribute values (one undoable step).',
  ),
  'sets.add': command<{ added: number }>()(
    z.object({ setId: Id, ...SetSource }).strict(),
    'Adds documents to a set: chosen by hand, matching a search, holding attribute values, or selected in the document list (by its filter and positions). Documents already in it stay once.',
  ),
  'sets.remove': command<{ removed: number }>()(
    z
      .object({ setId: Id, ...SetSource })
      .strict()
      .refine(namesDocuments, { message: 'name the documents to take out: documentIds, a query, where conditions or a list selection', path: ['documentIds'] }),
    'Takes documents out of a set (never out of the project): chosen by id, or as sets.add names them (a search, attribute values, a list selection).',
  ),
  'sets.rename': command<void>()(z.object({ setId: Id, name: Name }).strict(), 'Renames a document set.'),
  'sets.delete': command<void>()(z.object({ setId: Id }).strict(), 'Deletes a document set; its documents stay in the project.'),
  'sets.members': query<string[]>()(z.object({ setId: Id }).strict(), 'The ids of the documents of a set, in document order.'),
  'analysis.cooccurrence': query<Cooccurrence>()(
    z.object(CooccurrenceInput).strict(),
    'Code × code co-occurrence (segments that overlap, or share a paragraph or a document, within one coder’s work) with counts and Jaccard.',
  ),
  'analysis.cooccurrencePassages': query<CooccurrenceUnitPassages[]>()(
    z.object({ ...CooccurrenceInput, a: Id, b: Id, limit: z.number().int().min(1).max(1000).optional() }).strict(),
    'The passages behind one co-occurrence cell: both codes’ segments and their document.',
  ),
  'analysis.cooccurrenceCsv': query<CsvFile>()(z.object({ ...CooccurrenceInput, ...Csv }).strict(), 'The co-occurrence matrix as a CSV file to download once from its address.'),
  'analysis.crosstab': query<Crosstab>()(
    z.object({ ...CrosstabInput, offset: z.number().int().min(0).optional(), limit: z.number().int().min(1).max(2000).optional() }).strict(),
    'Code × document or code × attribute value: the matrix export’s values, per document or added up per value, a page of columns at a time.',
  ),
  'analysis.crosstabPassages': query<SegmentWithContext[]>()(
    z
      .object({
        ...CrosstabInput,
        codeId: Id,
        column: z.object({ document_id: Id.nullable(), value: z.string().max(100_000).nullable(), coder_id: Id.nullable() }).strict(),
        limit: z.number().int().min(1).max(1000).optional(),
      })
      .strict(),
    'The coded segments behind one crosstab cell.',
  ),
  'analysis.crosstabCsv': query<CsvFile>()(
    z.object({ ...CrosstabInput, percent: z.enum(['none', 'row', 'column']).optional(), ...Csv }).strict(),
    'The whole crosstab (every column) as a CSV file to download once from its address; values or row or column percentages.',
  ),
} as const;
