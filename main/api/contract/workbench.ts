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

export const workbenchContract = {
  'workbench.documentSegments': query<ViewerSegment[]>()(
    z.object({ documentId: Id, ...CoderScopeInput }).strict(),
    'The segments of one document for the viewer (spans, codes, coders, memos; no text), in start order: of the chosen coders, the consensus layer, or by default every coder but the consensus layer.',
  ),
} as const;
