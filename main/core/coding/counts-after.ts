import { coderCondition, type CoderChoice } from '../coders/scope';
import { listCodes, type Code } from '../codebook/codebook';
import type { Reader } from '../db/project-db';

/**
 * The counts a write moved, as the views that show them count them: the codebook with its
 * counts, and the segment count of each document the write touched, both over one choice of
 * coders. A segment write answers with them, so the codebook and the document list apply them
 * in place instead of asking for the codebook and a page of the list again after every key.
 */
export interface CountsAfter {
  /** The whole codebook in tree order, as `listCodes` gives it for the same coders. */
  codes: Code[];
  /**
   * The touched documents' segment counts, as the document list's rows count them; null when
   * the write touched more documents than are worth patching one by one (an autocoding, a
   * code deleted): the list then asks for its rows again.
   */
  documents: Array<{ id: string; segment_count: number }> | null;
}

/** More touched documents than this: the list reloads its rows instead (one page is 100). */
const MOST_DOCUMENTS = 100;

export async function countsAfter(r: Reader, choice: CoderChoice, documentIds: readonly string[]): Promise<CountsAfter> {
  const codes = await listCodes(r, choice);
  const ids = [...new Set(documentIds)];
  if (ids.length === 0) return { codes, documents: [] };
  if (ids.length > MOST_DOCUMENTS) return { codes, documents: null };
  const who = await coderCondition(r, choice);
  const rows = await r.all<{ id: string; n: number }>(
    `SELECT d.id, (SELECT count(*) FROM segments s WHERE s.document_id = d.id AND ${who.sql}) AS n
     FROM documents d WHERE d.id IN (${ids.map(() => '?').join(', ')})`,
    [...who.params, ...ids],
  );
  return { codes, documents: rows.map((d) => ({ id: d.id, segment_count: d.n })) };
}
