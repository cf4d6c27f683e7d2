import { z } from 'zod';
import { query } from '../define';
import { CoderScopeInput, Id } from './common';
import type { Segment } from '../../core/coding/segments';

/**
 * A segment as the document viewer draws it: no coded text or context, because the viewer
 * holds the document text already. Slicing a long UTF-8 text by code points in SQLite walks
 * it from the start for every row, which costs seconds for a 1 MB document with 2,000
 * segments; this list costs milliseconds.
 */
export type ViewerSegment = Omit<Segment, 'text' | 'document_name'>;

/**
 * One segment as `workbench.documentSegments` sends it: its code and coder as places in the
 * answer's `codes` and `coders`, `updated_at` null while it is `created_at` (never changed).
 */
export type ViewerSegmentRow = [id: string, code: number, coder: number, start: number, end: number, memo: string, created_at: string, updated_at: string | null];

/**
 * The segments of one document, each code and coder named once. As `ViewerSegment`s, a
 * document coded 1,000 times was 389 KB of JSON, every row repeating the document, the code's
 * name and colour and the coder's name; as rows it is a quarter of that. `segmentsOf`
 * (renderer/src/features/viewer/segment-rows.ts) gives the `ViewerSegment`s back.
 */
export interface DocumentSegmentsOut {
  document_id: string;
  /** The codes the segments apply, each once. */
  codes: Array<{ id: string; name: string; color: string }>;
  /** The coders who made them, each once. */
  coders: Array<{ id: string; name: string }>;
  /** In start order (then end, the code's place in the codebook, id). */
  segments: ViewerSegmentRow[];
}

export const workbenchContract = {
  'workbench.documentSegments': query<DocumentSegmentsOut>()(
    z.object({ documentId: Id, ...CoderScopeInput }).strict(),
    'The segments of one document for the viewer (spans, codes, coders, memos; no text), in start order: of the chosen coders, the consensus layer, or by default every coder but the consensus layer. Each code and coder is named once; a segment is a row that points at them.',
  ),
} as const;
