import { z } from 'zod';
import { command, query } from '../define';
import { Id, Offset } from './common';
import type { DocumentCounts, FirstHits, KwicLine, SearchDocumentCount, SearchPage } from '../../core/search/search';
import type { AutocodePlan, Extent, PlannedSegment } from '../../core/search/autocode';

export type { DocumentCounts, FirstHits, KwicLine, SearchDocumentCount, SearchPage, AutocodePlan, Extent, PlannedSegment };

/** What the autocode methods answer: the plan's counts (and, from apply, how many were written). */
export interface AutocodeSummary {
  hits: number;
  /** New segments the plan holds (preview) or wrote (apply). */
  segments: number;
  documents: number;
  already_coded: number;
  /** The first few planned passages, for the preview. */
  sample: PlannedSegment[];
}

const Query = z.string().trim().min(1, { message: 'type something to search for' }).max(1000, { message: 'must be at most 1,000 characters' });

/** What to search for and where: shared by search and autocode. */
const SearchInput = {
  query: Query,
  regex: z.boolean().optional(),
  caseSensitive: z.boolean().optional(),
  attribute: z.object({ name: z.string().min(1).max(200), value: z.string().max(100_000) }).strict().optional(),
  setId: Id.optional(),
};

const AutocodeInput = z
  .object({
    ...SearchInput,
    codeId: Id,
    extend: z.enum(['hit', 'sentence', 'paragraph']),
    /** Only these hits (as the search listed them); every hit of the search when absent. */
    hits: z
      .array(z.object({ documentId: Id, start: Offset, end: Offset }).strict())
      .min(1, { message: 'choose at least one hit, or leave hits out to code them all' })
      .max(100_000)
      .optional(),
  })
  .strict();

export const searchContract = {
  'search.hits': query<SearchPage>()(
    z
      .object({
        ...SearchInput,
        page: z.number().int().min(1).optional(),
        pageSize: z.number().int().min(1).max(500).optional(),
        context: z.number().int().min(0).max(500).optional(),
        /** The window of per-document counts (`by_document`): from this position, this many, in document order or most hits first. */
        documentsOffset: z.number().int().min(0).optional(),
        documentsLimit: z.number().int().min(0).max(1000).optional(),
        documentsOrder: z.enum(['order', 'hits']).optional(),
      })
      .strict(),
    'Every hit of a search (words, "phrases", OR, -word, word*, NEAR/n as one line, or a regular expression), one page of keyword-in-context lines at a time, with hit and document totals and a window of every matching document\'s hit count (100 from the first by default; documentsOrder "hits" for most hits first).',
  ),
  'search.first': query<FirstHits>()(
    z
      .object({
        ...SearchInput,
        pageSize: z.number().int().min(1).max(500).optional(),
        context: z.number().int().min(0).max(500).optional(),
      })
      .strict(),
    'The first page of a search\'s hits, read in document order until the page is full, with the totals the index gives at once (documents; hits for a word, words joined by OR or one word*; null where not known): what the screen shows while search.hits counts every hit.',
  ),
  'search.documentHits': query<Array<{ start: number; end: number }>>()(
    z.object({ query: Query, regex: z.boolean().optional(), caseSensitive: z.boolean().optional(), documentId: Id }).strict(),
    'The hits of a search in one document, in code points: what the viewer steps through with next and previous.',
  ),
  'autocode.preview': query<AutocodeSummary>()(
    AutocodeInput,
    'What autocoding the hits would do for the current coder: how many segments in how many documents, and how many passages are already coded.',
  ),
  'autocode.apply': command<AutocodeSummary>()(
    AutocodeInput,
    'Codes the hits of a search (or the chosen ones), widened to the hit, its sentence or its paragraph, as the current coder: one undoable action.',
  ),
} as const;
