/**
 * The records the API hands the renderer, named once for it. The renderer takes these types
 * from here (the contract), never from main/core, so the core can change its modules freely
 * while the shapes the API promises stay put.
 */
export type { Code } from '../../core/codebook/codebook';
export type { Coder } from '../../core/coders/coders';
export type { DocumentCursor, DocumentSummary, DocumentText } from '../../core/documents/documents';
export type { SegmentCursor, SegmentWithContext } from '../../core/coding/segments';
export type { Memo, MemoTargetKind } from '../../core/memos/memos';
