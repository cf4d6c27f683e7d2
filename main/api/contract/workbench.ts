import { z } from 'zod';
import { query } from '../define';
import { Id } from './common';

/**
 * A segment as the document viewer draws it: no coded text or context, because the viewer
 * holds the document text already. Slicing a long UTF-8 text by code points in SQLite walks
 * it from the start for every row, which costs seconds for a 1 MB document with 2,000
 * segments; this list costs milliseconds.
 */
export interface ViewerSegment {
  id: string;
  document_id: string;
  code_id: string;
  code_name: string;
  code_color: string;
  coder_id: string;
  coder_name: string;
  start: number;
  end: number;
  /** Plain text of the segment's memo ('' when none). */
  memo: string;
  created_at: string;
  updated_at: string;
}

export const workbenchContract = {
  'workbench.documentSegments': query<ViewerSegment[]>()(
    z.object({ documentId: Id }).strict(),
    'The segments of one document for the viewer (spans, codes, coders, memos; no text), in start order.',
  ),
} as const;
