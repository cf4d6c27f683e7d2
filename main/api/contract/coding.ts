import { z } from 'zod';
import { command, query } from '../define';
import { CoderScopeInput, Id, Offset } from './common';
import type { SegmentPage, SegmentWithContext } from '../../core/coding/segments';
import type { CountsAfter } from '../../core/coding/counts-after';
import type { Memo } from '../../core/memos/memos';

const MemoKind = z.enum(['project', 'document', 'code', 'segment']);

/**
 * Asks a segment write (and undo, redo) to answer with the counts it moved, over these coders
 * (as `codes.list` and `documents.page` take them): the codebook and the touched documents'
 * counts, which the views apply instead of reloading. Left out: no counts in the answer.
 */
export const CountsFor = z.object({ ...CoderScopeInput }).strict();
export type { CountsAfter };

export const codingContract = {
  'segments.list': query<SegmentWithContext[]>()(
    z
      .object({
        documentId: Id.optional(),
        codeId: Id.optional(),
        includeSubcodes: z.boolean().optional(),
        coderIds: z.array(Id).max(1000).optional(),
        context: z.number().int().min(0).max(2000).optional(),
        setId: Id.optional(),
        /** Only these segments: the one a memo is on, say. */
        ids: z.array(Id).max(1000).optional(),
      })
      .strict(),
    'Segments, filtered by document, document set, code (with subcodes), coders; each with its text and optional context.',
  ),
  'segments.page': query<SegmentPage>()(
    z
      .object({
        codeId: Id.optional(),
        includeSubcodes: z.boolean().optional(),
        coderIds: z.array(Id).max(1000).optional(),
        context: z.number().int().min(0).max(2000).optional(),
        attribute: z.string().min(1).max(200).optional(),
        value: z.string().max(1000).optional(),
        setId: Id.optional(),
        after: z.object({ order: z.number().int(), documentId: Id, start: Offset, end: Offset, id: Id }).strict().nullable().optional(),
        limit: z.number().int().min(1).max(1000).optional(),
      })
      .strict(),
    'Retrieval one page at a time (pass the previous page\'s `next` as `after`), in document order, with the total: segments of a code (with subcodes), of coders, in documents whose attribute contains a value or in a document set.',
  ),
  'segments.create': command<{ id: string; counts?: CountsAfter }>()(
    z
      .object({ documentId: Id, codeId: Id, start: Offset, end: Offset, memo: z.string().max(1_000_000).optional(), counts: CountsFor.optional() })
      .strict()
      .refine((v) => v.end > v.start, { message: 'must be greater than start', path: ['end'] }),
    'Codes [start, end) of a document (code points, half-open) with a code, as the current coder; with `counts`, answers with the counts it moved.',
  ),
  'segments.update': command<{ counts?: CountsAfter }>()(
    z.object({ id: Id, start: Offset.optional(), end: Offset.optional(), codeId: Id.optional(), counts: CountsFor.optional() }).strict(),
    'Changes the span or the code of a segment; with `counts`, answers with the counts it moved.',
  ),
  'segments.delete': command<{ counts?: CountsAfter }>()(
    z.object({ id: Id, counts: CountsFor.optional() }).strict(),
    'Removes a segment (undoable); with `counts`, answers with the counts it moved.',
  ),
  'memos.list': query<Memo[]>()(
    z.object({ kind: MemoKind.optional(), targetId: Id.nullable().optional() }).strict(),
    'Memos, all or those of one target.',
  ),
  'memos.save': command<{ id: string | null }>()(
    z
      .object({
        kind: MemoKind,
        targetId: Id.nullable(),
        content: z.string().max(5_000_000),
        text: z.string().max(5_000_000),
        title: z.string().max(500).optional(),
        memoId: Id.optional(),
      })
      .strict(),
    'Saves the memo of a project, document, code or segment (Lexical JSON and plain text). An empty memo is removed.',
  ),
  'memos.delete': command<void>()(z.object({ id: Id }).strict(), 'Deletes a memo.'),
} as const;
